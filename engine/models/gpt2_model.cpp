#include "engine/models/gpt2_model.h"

#include "engine/core/string_affixes.h"
#include "engine/models/causal_attention.h"
#include "engine/models/lora.h"

#include <cmath>

namespace ft {
namespace {

torch::nn::LayerNorm layer_norm(const ModelConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.norm_eps));
}

torch::Tensor activate(const torch::Tensor& x, const std::string& name) {
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") {
    // The tanh approximation GPT-2 was trained with.
    const double k = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + torch::tanh(k * (x + 0.044715 * torch::pow(x, 3.0))));
  }
  if (name == "gelu") return torch::gelu(x);
  if (name == "relu") return torch::relu(x);
  return torch::silu(x);  // "silu", "swish": the config reader admits nothing else
}

}  // namespace

Conv1DImpl::Conv1DImpl(int64_t in, int64_t out) {
  // Uninitialised, as layers.h explains.
  weight_ = register_parameter("weight", torch::empty({in, out}));
  bias_ = register_parameter("bias", torch::empty({out}));
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) {
  auto y = project(x, weight_.t(), bias_);
  if (adapter_) y = y + adapter_->update(x, is_training());
  return y;
}

void Conv1DImpl::attach_adapter(std::shared_ptr<LoraAdapter> adapter) {
  register_module("lora_A", adapter->lora_A);
  register_module("lora_B", adapter->lora_B);
  adapter_ = std::move(adapter);
}

void Conv1DImpl::merge_adapter() {
  if (!adapter_) return;
  torch::NoGradGuard no_grad;
  weight_.set_data(weight_.to(torch::kFloat) + adapter_->delta_weight().t());  // in fp32, as Linear's
  unregister_module("lora_A");
  unregister_module("lora_B");
  adapter_.reset();
}

Gpt2AttentionImpl::Gpt2AttentionImpl(const ModelConfig& c, int64_t layer_index)
    : num_heads_(c.num_heads),
      head_dim_(c.head_dim),
      attention_dropout_(c.attention_dropout),
      residual_dropout_(c.residual_dropout) {
  scale_ = c.scale_attn_weights ? 1.0 / std::sqrt(static_cast<double>(head_dim_)) : 1.0;
  if (c.scale_attn_by_inverse_layer_idx) scale_ /= static_cast<double>(layer_index + 1);
  c_attn_ = register_module("c_attn", Conv1D(c.hidden_size, 3 * c.hidden_size));
  c_proj_ = register_module("c_proj", Conv1D(c.hidden_size, c.hidden_size));
}

torch::Tensor Gpt2AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKeyValues* past) {
  const int64_t batch = x.size(0), time = x.size(1), width = x.size(2);
  auto qkv = c_attn_(x).split(width, -1);
  auto heads = [&](const torch::Tensor& t) { return t.view({batch, time, num_heads_, head_dim_}).transpose(1, 2); };
  auto k = heads(qkv[1]), v = heads(qkv[2]);
  if (past) std::tie(k, v) = past->extend(k, v);
  auto y = causal_attention(heads(qkv[0]), k, v, scale_, is_training() ? attention_dropout_ : 0.0, mask);
  y = c_proj_(y.transpose(1, 2).reshape({batch, time, width}));
  return torch::dropout(y, residual_dropout_, is_training());
}

Gpt2MLPImpl::Gpt2MLPImpl(const ModelConfig& c) : activation_(c.activation), residual_dropout_(c.residual_dropout) {
  c_fc_ = register_module("c_fc", Conv1D(c.hidden_size, c.intermediate_size));
  c_proj_ = register_module("c_proj", Conv1D(c.intermediate_size, c.hidden_size));
}

torch::Tensor Gpt2MLPImpl::forward(const torch::Tensor& x) {
  return torch::dropout(c_proj_(activate(c_fc_(x), activation_)), residual_dropout_, is_training());
}

Gpt2BlockImpl::Gpt2BlockImpl(const ModelConfig& c, int64_t layer_index) {
  ln_1_ = register_module("ln_1", layer_norm(c));
  attn_ = register_module("attn", Gpt2Attention(c, layer_index));
  ln_2_ = register_module("ln_2", layer_norm(c));
  mlp_ = register_module("mlp", Gpt2MLP(c));
}

torch::Tensor Gpt2BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, LayerKeyValues* past) {
  auto h = x + attn_(ln_1_(x), mask, past);
  return h + mlp_(ln_2_(h));
}

Gpt2BackboneImpl::Gpt2BackboneImpl(const ModelConfig& c) : embedding_dropout_(c.embedding_dropout) {
  wte_ = register_module("wte", Embedding(c.vocab_size, c.hidden_size));
  wpe_ = register_module("wpe", Embedding(c.max_position_embeddings, c.hidden_size));
  h_ = register_module("h", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) h_->push_back(Gpt2Block(c, i));
  ln_f_ = register_module("ln_f", layer_norm(c));
}

torch::Tensor Gpt2BackboneImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& positions,
                                        const torch::Tensor& mask, KeyValueCache* cache) {
  auto h = torch::dropout(wte_(input_ids) + wpe_(positions), embedding_dropout_, is_training());
  for (size_t i = 0; i < h_->size(); ++i) {
    h = h_[i]->as<Gpt2Block>()->forward(h, mask, cache ? &cache->layer(i) : nullptr);
  }
  return ln_f_(h);
}

Gpt2LMHeadModel::Gpt2LMHeadModel(const ModelConfig& c) : CausalLM(c) {
  transformer_ = register_module("transformer", Gpt2Backbone(c));
  if (!c.tie_word_embeddings) {
    lm_head_ = register_module("lm_head", Linear(c.hidden_size, c.vocab_size, false));
  }
}

torch::Tensor Gpt2LMHeadModel::final_hidden(const ModelInput& input) {
  return transformer_(input.input_ids, positions_of(input), segment_mask(input), input.cache);
}

torch::Tensor Gpt2LMHeadModel::output_logits(const torch::Tensor& h) {
  auto logits = lm_head_ ? lm_head_(h) : project(h, transformer_->token_embedding());
  return logits.to(torch::kFloat);
}

bool Gpt2LMHeadModel::ignores_checkpoint_tensor(const std::string& name) const {
  // Older transformers saved the causal mask of every layer as ".attn.bias" / ".attn.masked_bias".
  const bool mask_buffer = ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias");
  return mask_buffer || (config().tie_word_embeddings && name == "lm_head.weight");
}

std::string Gpt2LMHeadModel::canonical_name(const std::string& checkpoint_name) const {
  // The original OpenAI-converted checkpoints (the hub's "gpt2") name the backbone's tensors
  // without the "transformer." prefix.
  if (starts_with(checkpoint_name, "transformer.") || starts_with(checkpoint_name, "lm_head.")) return checkpoint_name;
  return "transformer." + checkpoint_name;
}

}  // namespace ft
