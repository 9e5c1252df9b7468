#include "engine/models/llama_model.h"

#include "engine/models/causal_attention.h"

#include <cmath>

namespace ft {
namespace {

torch::nn::Linear linear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// (x1, x2) -> (-x2, x1) over the two halves of the last dimension.
torch::Tensor rotate_half(const torch::Tensor& x) {
  auto halves = x.chunk(2, -1);
  return torch::cat({-halves[1], halves[0]}, -1);
}

// theta^(-2i/d), adjusted as the config's rope scaling says.
torch::Tensor inverse_frequencies(const ModelConfig& c, const torch::Device& device) {
  auto exponent = torch::arange(0, c.head_dim, 2, torch::TensorOptions().dtype(torch::kLong)).to(torch::kFloat) /
                  static_cast<double>(c.head_dim);
  auto inv_freq = 1.0 / torch::pow(c.rope_theta, exponent);
  const auto& s = c.rope_scaling;
  if (s.type == "linear") {
    inv_freq = inv_freq / s.factor;
  } else if (s.type == "llama3") {
    // Long wavelengths are stretched by `factor`, short ones kept, the band between blended.
    const double old_context = static_cast<double>(s.original_max_position_embeddings);
    const double low_freq_wavelen = old_context / s.low_freq_factor;
    const double high_freq_wavelen = old_context / s.high_freq_factor;
    auto wavelen = 2 * M_PI / inv_freq;
    auto scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / s.factor, inv_freq);
    auto smooth = (old_context / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    auto smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
    auto medium = wavelen.ge(high_freq_wavelen).logical_and(wavelen.le(low_freq_wavelen));
    inv_freq = torch::where(medium, smoothed, scaled);
  }
  return inv_freq.to(device);
}

}  // namespace

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight_ = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto x32 = x.to(torch::kFloat);
  auto normed = x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + eps_);
  return weight_ * normed.to(x.scalar_type());
}

LlamaAttentionImpl::LlamaAttentionImpl(const ModelConfig& c)
    : num_heads_(c.num_heads), num_kv_heads_(c.num_kv_heads), head_dim_(c.head_dim), dropout_(c.attention_dropout) {
  q_proj_ = register_module("q_proj", linear(c.hidden_size, c.num_heads * c.head_dim, c.attention_bias));
  k_proj_ = register_module("k_proj", linear(c.hidden_size, c.num_kv_heads * c.head_dim, c.attention_bias));
  v_proj_ = register_module("v_proj", linear(c.hidden_size, c.num_kv_heads * c.head_dim, c.attention_bias));
  o_proj_ = register_module("o_proj", linear(c.num_heads * c.head_dim, c.hidden_size, c.attention_bias));
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask) {
  const int64_t batch = x.size(0), time = x.size(1);
  auto heads = [&](const torch::Tensor& t, int64_t n) { return t.view({batch, time, n, head_dim_}).transpose(1, 2); };
  auto q = heads(q_proj_(x), num_heads_);
  auto k = heads(k_proj_(x), num_kv_heads_);
  auto v = heads(v_proj_(x), num_kv_heads_);
  auto cos = rope.cos.unsqueeze(1), sin = rope.sin.unsqueeze(1);
  q = q * cos + rotate_half(q) * sin;
  k = k * cos + rotate_half(k) * sin;
  if (num_kv_heads_ != num_heads_) {  // grouped-query attention: each key/value head serves a group
    k = k.repeat_interleave(num_heads_ / num_kv_heads_, 1);
    v = v.repeat_interleave(num_heads_ / num_kv_heads_, 1);
  }
  auto y = causal_attention(q, k, v, 1.0 / std::sqrt(static_cast<double>(head_dim_)),
                           is_training() ? dropout_ : 0.0, mask);
  return o_proj_(y.transpose(1, 2).reshape({batch, time, num_heads_ * head_dim_}));
}

LlamaMLPImpl::LlamaMLPImpl(const ModelConfig& c) {
  gate_proj_ = register_module("gate_proj", linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
  up_proj_ = register_module("up_proj", linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
  down_proj_ = register_module("down_proj", linear(c.intermediate_size, c.hidden_size, c.mlp_bias));
}

torch::Tensor LlamaMLPImpl::forward(const torch::Tensor& x) {
  return down_proj_(torch::silu(gate_proj_(x)) * up_proj_(x));
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const ModelConfig& c) {
  self_attn_ = register_module("self_attn", LlamaAttention(c));
  mlp_ = register_module("mlp", LlamaMLP(c));
  input_layernorm_ = register_module("input_layernorm", RMSNorm(c.hidden_size, c.norm_eps));
  post_attention_layernorm_ = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.norm_eps));
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask) {
  auto h = x + self_attn_(input_layernorm_(x), rope, mask);
  return h + mlp_(post_attention_layernorm_(h));
}

LlamaBackboneImpl::LlamaBackboneImpl(const ModelConfig& c) {
  embed_tokens_ = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) layers_->push_back(LlamaDecoderLayer(c));
  norm_ = register_module("norm", RMSNorm(c.hidden_size, c.norm_eps));
}

torch::Tensor LlamaBackboneImpl::forward(const torch::Tensor& input_ids, const RotaryTables& rope, const torch::Tensor& mask) {
  auto h = embed_tokens_(input_ids);
  for (const auto& layer : *layers_) h = layer->as<LlamaDecoderLayer>()->forward(h, rope, mask);
  return norm_(h);
}

LlamaForCausalLM::LlamaForCausalLM(const ModelConfig& c) : CausalLM(c) {
  model_ = register_module("model", LlamaBackbone(c));
  if (!c.tie_word_embeddings) lm_head_ = register_module("lm_head", linear(c.hidden_size, c.vocab_size, false));
}

RotaryTables LlamaForCausalLM::rotary_tables(const torch::Tensor& positions) const {
  auto inv_freq = inverse_frequencies(config(), positions.device());
  auto freqs = positions.to(torch::kFloat).unsqueeze(-1) * inv_freq;  // [batch, time, head_dim / 2]
  auto angles = torch::cat({freqs, freqs}, -1);
  return {angles.cos(), angles.sin()};
}

torch::Tensor LlamaForCausalLM::forward(const ModelInput& input) {
  auto h = model_(input.input_ids, rotary_tables(positions_of(input)), segment_mask(input));
  auto logits = lm_head_ ? lm_head_(h) : torch::nn::functional::linear(h, model_->token_embedding());
  return logits.to(torch::kFloat);
}

bool LlamaForCausalLM::ignores_checkpoint_tensor(const std::string& name) const {
  const bool rotary_cache = name.size() > 9 && name.compare(name.size() - 9, 9, ".inv_freq") == 0;
  return rotary_cache || (config().tie_word_embeddings && name == "lm_head.weight");
}

}  // namespace ft
