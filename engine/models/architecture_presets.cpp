#include "engine/models/architecture_presets.h"

#include "engine/core/error.h"

namespace ft {
namespace {

struct Gpt3Shape {
  const char* name;
  int64_t layers;
  int64_t d_model;
  int64_t heads;
};

// Brown et al. 2020, Table 2.1, with two rows corrected where the printed numbers contradict
// each other (d_model must equal heads x d_head):
// - XL prints 24 heads of 128 with d_model 2048, but 24 x 128 = 3072 and 2048 is not divisible
//   by 24. d_model 2048 is what makes the row's 1.3B parameters, so it stays; the heads become
//   16 of 128, the head width every other model from 6.7B up uses.
// - 13B prints d_model 5140, but its 40 heads of 128 make 5120, and 5140 is not divisible by 40;
//   5140 is a misprint of 5120.
// The parameter counts do not depend on the head split, only on d_model and the layers.
constexpr Gpt3Shape gpt3_shapes[] = {
    {"gpt3-small", 12, 768, 12},   {"gpt3-medium", 24, 1024, 16}, {"gpt3-large", 24, 1536, 16},
    {"gpt3-xl", 24, 2048, 16},     {"gpt3-2.7b", 32, 2560, 32},   {"gpt3-6.7b", 32, 4096, 32},
    {"gpt3-13b", 40, 5120, 40},    {"gpt3-175b", 96, 12288, 96},
};

// GPT-3 is GPT-2's architecture (pre-norm, learned positions, GELU) at a 2048-token context with
// a feed-forward 4 times d_model and the output projection tied to the token embedding. (GPT-3's
// alternating dense and locally banded sparse attention is not modelled; it has no parameters.)
ModelConfig gpt3(const Gpt3Shape& shape, int64_t vocab_size) {
  ModelConfig c;
  c.architecture = Architecture::gpt2;
  c.vocab_size = vocab_size;
  c.hidden_size = shape.d_model;
  c.num_layers = shape.layers;
  c.num_heads = shape.heads;
  c.num_kv_heads = shape.heads;
  c.head_dim = shape.d_model / shape.heads;
  c.intermediate_size = 4 * shape.d_model;
  c.max_position_embeddings = 2048;
  c.tie_word_embeddings = true;
  c.activation = "gelu_new";
  return c;
}

// Small enough to train in seconds on a CPU, large enough to learn a toy data set.
ModelConfig tiny_llama(int64_t vocab_size) {
  ModelConfig c;
  c.architecture = Architecture::llama;
  c.vocab_size = vocab_size;
  c.hidden_size = 64;
  c.num_layers = 2;
  c.num_heads = 4;
  c.num_kv_heads = 2;  // grouped-query attention, so tests exercise it
  c.head_dim = 16;
  c.intermediate_size = 176;  // Llama's SwiGLU width: 8/3 x 64 rounded up to a multiple of 16
  c.max_position_embeddings = 256;
  c.norm_eps = 1e-6;
  c.activation = "silu";
  return c;
}

ModelConfig tiny_gpt2(int64_t vocab_size) {
  ModelConfig c;
  c.architecture = Architecture::gpt2;
  c.vocab_size = vocab_size;
  c.hidden_size = 64;
  c.num_layers = 2;
  c.num_heads = 4;
  c.num_kv_heads = 4;
  c.head_dim = 16;
  c.intermediate_size = 256;
  c.max_position_embeddings = 256;
  c.tie_word_embeddings = true;
  c.activation = "gelu_new";
  return c;
}

// Small Llamas for pre-training benchmark bases on a CPU (bench/hyperparameters): 2.4M and 11.3M
// parameters with a 4096-token vocabulary (tied embeddings, so the vocabulary is not most of the
// model), large enough to learn a generated language, small enough to pre-train in minutes.
ModelConfig small_llama(int64_t vocab_size, int64_t hidden, int64_t layers, int64_t heads, int64_t intermediate) {
  ModelConfig c = tiny_llama(vocab_size);
  c.hidden_size = hidden;
  c.num_layers = layers;
  c.num_heads = heads;
  c.num_kv_heads = heads / 2;
  c.head_dim = hidden / heads;
  c.intermediate_size = intermediate;
  c.max_position_embeddings = 512;
  c.tie_word_embeddings = true;
  return c;
}

}  // namespace

// BOS and EOS stay unset (-1): they are ids of the tokenizer the caller pairs the model with.
std::optional<ModelConfig> architecture_preset(const std::string& name, int64_t vocab_size) {
  if (vocab_size <= 0) {
    throw Error(ErrorKind::invalid_argument,
                "vocab_size must be a positive number of tokens, found " + std::to_string(vocab_size), "vocab_size");
  }
  for (const auto& shape : gpt3_shapes) {
    if (name == shape.name) return gpt3(shape, vocab_size);
  }
  if (name == "tiny-llama") return tiny_llama(vocab_size);
  if (name == "tiny-gpt2") return tiny_gpt2(vocab_size);
  if (name == "small-llama-2m") return small_llama(vocab_size, 192, 4, 6, 512);
  if (name == "small-llama-10m") return small_llama(vocab_size, 384, 6, 6, 1024);
  return std::nullopt;
}

std::vector<std::string> architecture_preset_names() {
  std::vector<std::string> names;
  for (const auto& shape : gpt3_shapes) names.emplace_back(shape.name);
  names.emplace_back("tiny-llama");
  names.emplace_back("tiny-gpt2");
  names.emplace_back("small-llama-2m");
  names.emplace_back("small-llama-10m");
  return names;
}

}  // namespace ft
