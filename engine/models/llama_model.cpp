#include "engine/models/llama_model.h"

#include "engine/core/string_affixes.h"
#include "engine/models/causal_attention.h"

#include <array>
#include <cmath>

namespace ft {
namespace {

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

RMSNormImpl::RMSNormImpl(int64_t dim, double eps, bool unit_offset) : eps_(eps), unit_offset_(unit_offset) {
  weight_ = register_parameter("weight", unit_offset ? torch::zeros({dim}) : torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto x32 = x.to(torch::kFloat);
  auto normed = x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + eps_);
  // The order of the casts is each reference's: Gemma scales in fp32, Llama after the cast.
  if (unit_offset_) return (normed * (1.0 + weight_.to(torch::kFloat))).to(x.scalar_type());
  return weight_ * normed.to(x.scalar_type());
}

LlamaAttentionImpl::LlamaAttentionImpl(const ModelConfig& c, bool sliding)
    : num_heads_(c.num_heads),
      num_kv_heads_(c.num_kv_heads),
      head_dim_(c.head_dim),
      scale_(1.0 / std::sqrt(c.query_pre_attn_scalar > 0 ? c.query_pre_attn_scalar : static_cast<double>(c.head_dim))),
      softcap_(c.attention_softcap),
      dropout_(c.attention_dropout),
      sliding_(sliding) {
  const int64_t q_size = c.num_heads * c.head_dim, kv_size = c.num_kv_heads * c.head_dim;
  if (c.architecture == Architecture::phi3) {
    qkv_proj_ = register_module("qkv_proj", Linear(c.hidden_size, q_size + 2 * kv_size, c.qkv_bias));
  } else {
    q_proj_ = register_module("q_proj", Linear(c.hidden_size, q_size, c.qkv_bias));
    k_proj_ = register_module("k_proj", Linear(c.hidden_size, kv_size, c.qkv_bias));
    v_proj_ = register_module("v_proj", Linear(c.hidden_size, kv_size, c.qkv_bias));
  }
  o_proj_ = register_module("o_proj", Linear(q_size, c.hidden_size, c.output_bias));
  if (c.qk_norm) {
    q_norm_ = register_module("q_norm", RMSNorm(c.head_dim, c.norm_eps));
    k_norm_ = register_module("k_norm", RMSNorm(c.head_dim, c.norm_eps));
  }
}

std::array<torch::Tensor, 3> LlamaAttentionImpl::project(const torch::Tensor& x) {
  const int64_t batch = x.size(0), time = x.size(1);
  torch::Tensor q, k, v;  // [batch, time, heads * head_dim]
  if (qkv_proj_) {
    auto qkv = qkv_proj_(x).split({num_heads_ * head_dim_, num_kv_heads_ * head_dim_, num_kv_heads_ * head_dim_}, -1);
    q = qkv[0], k = qkv[1], v = qkv[2];
  } else {
    q = q_proj_(x), k = k_proj_(x), v = v_proj_(x);
  }
  auto heads = [&](const torch::Tensor& t, int64_t n) { return t.view({batch, time, n, head_dim_}); };
  auto qh = heads(q, num_heads_), kh = heads(k, num_kv_heads_);  // [batch, time, heads, head_dim]
  if (q_norm_) qh = q_norm_(qh), kh = k_norm_(kh);
  return {qh.transpose(1, 2), kh.transpose(1, 2), heads(v, num_kv_heads_).transpose(1, 2)};
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMasks& masks,
                                          LayerKeyValues* past) {
  const int64_t batch = x.size(0), time = x.size(1);
  auto [q, k, v] = project(x);
  auto cos = rope.cos.unsqueeze(1), sin = rope.sin.unsqueeze(1);
  q = q * cos + rotate_half(q) * sin;
  k = k * cos + rotate_half(k) * sin;
  if (past) std::tie(k, v) = past->extend(k, v);
  if (num_kv_heads_ != num_heads_) {  // grouped-query attention: each key/value head serves a group
    k = k.repeat_interleave(num_heads_ / num_kv_heads_, 1);
    v = v.repeat_interleave(num_heads_ / num_kv_heads_, 1);
  }
  const auto& mask = sliding_ ? masks.sliding : masks.full;
  const double dropout = is_training() ? dropout_ : 0.0;
  auto y = softcap_ > 0 ? softcapped_causal_attention(q, k, v, scale_, softcap_, dropout, mask)
                        : causal_attention(q, k, v, scale_, dropout, mask);  // [batch, heads, time, head_dim]
  return o_proj_(y.transpose(1, 2).reshape({batch, time, num_heads_ * head_dim_}));
}

LlamaMLPImpl::LlamaMLPImpl(const ModelConfig& c) : gelu_(c.architecture == Architecture::gemma2) {
  if (c.architecture == Architecture::phi3) {
    gate_up_proj_ = register_module("gate_up_proj", Linear(c.hidden_size, 2 * c.intermediate_size, c.mlp_bias));
  } else {
    gate_proj_ = register_module("gate_proj", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
    up_proj_ = register_module("up_proj", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias));
  }
  down_proj_ = register_module("down_proj", Linear(c.intermediate_size, c.hidden_size, c.mlp_bias));
}

torch::Tensor LlamaMLPImpl::forward(const torch::Tensor& x) {
  torch::Tensor gate, up;
  if (gate_up_proj_) {
    auto halves = gate_up_proj_(x).chunk(2, -1);  // Phi-3 stores gate first
    gate = halves[0], up = halves[1];
  } else {
    gate = gate_proj_(x), up = up_proj_(x);
  }
  auto activated = gelu_ ? torch::gelu(gate, "tanh") : torch::silu(gate);
  return down_proj_(activated * up);
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const ModelConfig& c, int64_t index) {
  const bool gemma = c.architecture == Architecture::gemma2;
  // Configs built by hand (the presets) list no layer types: no layer slides.
  const bool sliding = index < static_cast<int64_t>(c.sliding_layers.size()) && c.sliding_layers[index];
  self_attn_ = register_module("self_attn", LlamaAttention(c, sliding));
  mlp_ = register_module("mlp", LlamaMLP(c));
  input_layernorm_ = register_module("input_layernorm", RMSNorm(c.hidden_size, c.norm_eps, gemma));
  post_attention_layernorm_ = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.norm_eps, gemma));
  if (gemma) {
    pre_feedforward_layernorm_ = register_module("pre_feedforward_layernorm", RMSNorm(c.hidden_size, c.norm_eps, true));
    post_feedforward_layernorm_ = register_module("post_feedforward_layernorm", RMSNorm(c.hidden_size, c.norm_eps, true));
  }
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope,
                                             const AttentionMasks& masks, LayerKeyValues* past) {
  if (pre_feedforward_layernorm_) {  // Gemma 2: each sublayer normed on the way in and out
    auto h = x + post_attention_layernorm_(self_attn_(input_layernorm_(x), rope, masks, past));
    return h + post_feedforward_layernorm_(mlp_(pre_feedforward_layernorm_(h)));
  }
  auto h = x + self_attn_(input_layernorm_(x), rope, masks, past);
  return h + mlp_(post_attention_layernorm_(h));
}

LlamaBackboneImpl::LlamaBackboneImpl(const ModelConfig& c)
    : embedding_scale_(c.architecture == Architecture::gemma2 ? std::sqrt(static_cast<double>(c.hidden_size)) : 1.0) {
  embed_tokens_ = register_module("embed_tokens", Embedding(c.vocab_size, c.hidden_size));
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) layers_->push_back(LlamaDecoderLayer(c, i));
  norm_ = register_module("norm", RMSNorm(c.hidden_size, c.norm_eps, c.architecture == Architecture::gemma2));
}

torch::Tensor LlamaBackboneImpl::forward(const torch::Tensor& input_ids, const RotaryTables& rope,
                                         const AttentionMasks& masks, KeyValueCache* cache) {
  auto h = embed_tokens_(input_ids);
  // Gemma's scale is rounded to the hidden dtype first, as the reference does.
  if (embedding_scale_ != 1.0) h = h * torch::scalar_tensor(embedding_scale_, h.options());
  for (size_t i = 0; i < layers_->size(); ++i) {
    h = layers_[i]->as<LlamaDecoderLayer>()->forward(h, rope, masks, cache ? &cache->layer(i) : nullptr);
  }
  return norm_(h);
}

LlamaForCausalLM::LlamaForCausalLM(const ModelConfig& c) : CausalLM(c) {
  model_ = register_module("model", LlamaBackbone(c));
  if (!c.tie_word_embeddings) lm_head_ = register_module("lm_head", Linear(c.hidden_size, c.vocab_size, false));
}

RotaryTables LlamaForCausalLM::rotary_tables(const torch::Tensor& positions) const {
  auto inv_freq = inverse_frequencies(config(), positions.device());
  auto freqs = positions.to(torch::kFloat).unsqueeze(-1) * inv_freq;  // [batch, time, head_dim / 2]
  auto angles = torch::cat({freqs, freqs}, -1);
  return {angles.cos(), angles.sin()};
}

AttentionMasks LlamaForCausalLM::attention_masks(const ModelInput& input) const {
  AttentionMasks masks{segment_mask(input), {}};
  const int64_t window = config().sliding_window, cached = input.cache ? input.cache->length() : 0;
  const int64_t time = input.input_ids.size(1), keys = cached + time;
  if (window > 0 && window < keys) {
    // Token i may see token j only when i - j < window (causality is added by the attention).
    auto i = torch::arange(cached, keys, input.input_ids.options()).unsqueeze(1);
    auto j = torch::arange(keys, input.input_ids.options()).unsqueeze(0);
    auto band = (i - j).lt(window);
    masks.sliding = masks.full.defined() ? masks.full.logical_and(band) : band;
  } else {
    masks.sliding = masks.full;
  }
  return masks;
}

torch::Tensor LlamaForCausalLM::final_hidden(const ModelInput& input) {
  return model_(input.input_ids, rotary_tables(positions_of(input)), attention_masks(input), input.cache);
}

torch::Tensor LlamaForCausalLM::output_logits(const torch::Tensor& h) {
  auto logits = (lm_head_ ? lm_head_(h) : project(h, model_->token_embedding())).to(torch::kFloat);
  const double cap = config().final_softcap;
  return cap > 0 ? torch::tanh(logits / cap) * cap : logits;
}

bool LlamaForCausalLM::ignores_checkpoint_tensor(const std::string& name) const {
  const bool rotary_cache = ends_with(name, ".inv_freq");
  return rotary_cache || (config().tie_word_embeddings && name == "lm_head.weight");
}

}  // namespace ft
