// The interface every decoder-only language model of the engine implements. Parameter and
// buffer names are exactly the Hugging Face names, so checkpoints load and save by name.
#pragma once

#include "engine/formats/model_config.h"
#include "engine/models/key_value_cache.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace ft {

struct ModelInput {
  explicit ModelInput(torch::Tensor ids, torch::Tensor positions = {}, torch::Tensor segments = {})
      : input_ids(std::move(ids)), position_ids(std::move(positions)), segment_ids(std::move(segments)) {}

  torch::Tensor input_ids;     // [batch, time], int64
  torch::Tensor position_ids;  // optional [batch, time]; default 0 .. time-1 in every row
  // optional [batch, time]; a token attends only to earlier tokens of the same segment, so that
  // several examples packed into one row stay independent (give each its own position_ids too)
  torch::Tensor segment_ids;
  // optional: the keys and values of the tokens before these ones, which the model extends.
  // input_ids then continue the cached text: positions start at the cache's length (unless
  // given), and every token may attend to every cached one. Not combined with segment_ids.
  KeyValueCache* cache = nullptr;
};

class CausalLM : public torch::nn::Module {
 public:
  explicit CausalLM(ModelConfig config) : config_(std::move(config)) {}

  // Next-token logits [batch, time, vocab] in fp32.
  torch::Tensor forward(const ModelInput& input) { return output_logits(final_hidden(input)); }
  // The two halves of forward, apart so that the loss can run the output head on a few
  // positions at a time (engine/training/weighted_token_loss.h): the last layer's normalised
  // hidden states [batch, time, hidden], and the head on any [..., hidden] (logits in fp32).
  virtual torch::Tensor final_hidden(const ModelInput& input) = 0;
  virtual torch::Tensor output_logits(const torch::Tensor& hidden) = 0;

  // Checkpoint tensors the model reads nothing from but transformers may have saved (rotary
  // caches, GPT-2's causal-mask buffers, a duplicate of tied embeddings): loading skips them.
  virtual bool ignores_checkpoint_tensor(const std::string& name) const = 0;
  // The engine's name for a checkpoint tensor name (GPT-2 checkpoints without "transformer.").
  virtual std::string canonical_name(const std::string& checkpoint_name) const { return checkpoint_name; }

  const ModelConfig& config() const { return config_; }

 protected:
  // Position ids for each row, unless the input brings its own: 0 .. time-1 after the cached
  // tokens' positions.
  static torch::Tensor positions_of(const ModelInput& input);
  // [batch, 1, time, time] "may attend" mask from segment ids, or undefined when there are none.
  static torch::Tensor segment_mask(const ModelInput& input);

 private:
  ModelConfig config_;
};

// A model of the configured architecture, its parameters uninitialised (engine/models/layers.h):
// load a checkpoint or call initialize_weights before use.
std::shared_ptr<CausalLM> make_causal_lm(const ModelConfig& config);

}  // namespace ft
