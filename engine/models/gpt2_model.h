// GPT-2: learned position embeddings, pre-norm LayerNorm blocks, GELU MLP, and the Conv1D
// projections whose weights are stored [in, out] (transposed against nn.Linear), as
// transformers' GPT2LMHeadModel computes them. The LM head is tied to the token embedding
// unless the config says otherwise.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/models/layers.h"

namespace ft {

// y = x W + b with W stored [in, out]; plus a LoRA update when one is attached.
class Conv1DImpl : public torch::nn::Module {
 public:
  Conv1DImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

  int64_t in_features() const { return weight_.size(0); }
  int64_t out_features() const { return weight_.size(1); }
  // Registers the adapter's lora_A and lora_B as submodules of this layer (see lora.h).
  void attach_adapter(std::shared_ptr<LoraAdapter> adapter);
  const std::shared_ptr<LoraAdapter>& adapter() const { return adapter_; }
  // W += ((alpha / r) B A)^T, the weight being [in, out]; then the adapter is removed.
  void merge_adapter();

 private:
  torch::Tensor weight_, bias_;
  std::shared_ptr<LoraAdapter> adapter_;
};
TORCH_MODULE(Conv1D);

class Gpt2AttentionImpl : public torch::nn::Module {
 public:
  Gpt2AttentionImpl(const ModelConfig& c, int64_t layer_index);
  // `past`: this layer's cached keys and values, extended with x's (null: no cache).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKeyValues* past);

 private:
  int64_t num_heads_, head_dim_;
  double scale_, attention_dropout_, residual_dropout_;
  Conv1D c_attn_{nullptr}, c_proj_{nullptr};
};
TORCH_MODULE(Gpt2Attention);

class Gpt2MLPImpl : public torch::nn::Module {
 public:
  explicit Gpt2MLPImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::string activation_;
  double residual_dropout_;
  Conv1D c_fc_{nullptr}, c_proj_{nullptr};
};
TORCH_MODULE(Gpt2MLP);

class Gpt2BlockImpl : public torch::nn::Module {
 public:
  Gpt2BlockImpl(const ModelConfig& c, int64_t layer_index);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKeyValues* past);

 private:
  torch::nn::LayerNorm ln_1_{nullptr}, ln_2_{nullptr};
  Gpt2Attention attn_{nullptr};
  Gpt2MLP mlp_{nullptr};
};
TORCH_MODULE(Gpt2Block);

// "transformer.*": token and position embeddings, the blocks and the final LayerNorm.
class Gpt2BackboneImpl : public torch::nn::Module {
 public:
  explicit Gpt2BackboneImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& positions, const torch::Tensor& mask,
                        KeyValueCache* cache);
  const torch::Tensor& token_embedding() const { return wte_->weight; }

 private:
  double embedding_dropout_;
  Embedding wte_{nullptr}, wpe_{nullptr};
  torch::nn::ModuleList h_{nullptr};
  torch::nn::LayerNorm ln_f_{nullptr};
};
TORCH_MODULE(Gpt2Backbone);

class Gpt2LMHeadModel : public CausalLM {
 public:
  explicit Gpt2LMHeadModel(const ModelConfig& config);
  torch::Tensor final_hidden(const ModelInput& input) override;
  torch::Tensor output_logits(const torch::Tensor& hidden) override;
  bool ignores_checkpoint_tensor(const std::string& name) const override;
  std::string canonical_name(const std::string& checkpoint_name) const override;

 private:
  Gpt2Backbone transformer_{nullptr};
  Linear lm_head_{nullptr};  // null when tied to the token embedding
};

}  // namespace ft
