// The Llama line of decoders, as transformers computes them: RMSNorm, rotary position
// embeddings, grouped-query attention and a gated MLP. One implementation serves every
// architecture of the line; ModelConfig says which variation applies:
//   Llama, Mistral  the plain block (Mistral: a sliding attention window)
//   Qwen2           biases on q, k and v (not on o)
//   Qwen3           RMSNorm over each head of q and k before the rotation
//   Phi-3           q, k, v fused into qkv_proj and gate, up into gate_up_proj
//   Gemma 2         embeddings scaled by sqrt(hidden), RMSNorm as x * (1 + weight), GELU-tanh
//                   gating, norms after attention and the MLP as well as before, soft-capped
//                   attention scores and logits, sliding window on every other layer, scores
//                   scaled by query_pre_attn_scalar
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/models/layers.h"

namespace ft {

// y = x / sqrt(mean(x^2) + eps) * weight, computed in fp32; Gemma's variant scales by
// (1 + weight), its weight stored as an offset from one.
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps, bool unit_offset = false);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::Tensor weight_;
  double eps_;
  bool unit_offset_;
};
TORCH_MODULE(RMSNorm);

// The cos and sin tables of the rotary embedding for given positions, [batch, time, head_dim].
struct RotaryTables {
  torch::Tensor cos, sin;
};

// Boolean "may attend" masks beyond causality, undefined when there is no restriction: `full`
// keeps packed examples apart, `sliding` also keeps each token within the sliding window.
struct AttentionMasks {
  torch::Tensor full, sliding;
};

class LlamaAttentionImpl : public torch::nn::Module {
 public:
  LlamaAttentionImpl(const ModelConfig& c, bool sliding);
  // `past`: this layer's cached keys and values, extended with x's (null: no cache).
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMasks& masks,
                        LayerKeyValues* past);

 private:
  // q [batch, heads, time, head_dim], k and v [batch, kv_heads, time, head_dim]
  std::array<torch::Tensor, 3> project(const torch::Tensor& x);

  int64_t num_heads_, num_kv_heads_, head_dim_;
  double scale_, softcap_, dropout_;
  bool sliding_;
  Linear q_proj_{nullptr}, k_proj_{nullptr}, v_proj_{nullptr}, qkv_proj_{nullptr}, o_proj_{nullptr};
  RMSNorm q_norm_{nullptr}, k_norm_{nullptr};
};
TORCH_MODULE(LlamaAttention);

// down(act(gate(x)) * up(x)), act SiLU (GELU-tanh for Gemma); Phi-3 fuses gate and up.
class LlamaMLPImpl : public torch::nn::Module {
 public:
  explicit LlamaMLPImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  bool gelu_;
  Linear gate_proj_{nullptr}, up_proj_{nullptr}, gate_up_proj_{nullptr}, down_proj_{nullptr};
};
TORCH_MODULE(LlamaMLP);

// Pre-norm residual block: h = x + attn(norm(x)), then h + mlp(norm(h)); Gemma 2 also norms
// each sublayer's output before adding it.
class LlamaDecoderLayerImpl : public torch::nn::Module {
 public:
  LlamaDecoderLayerImpl(const ModelConfig& c, int64_t index);
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMasks& masks,
                        LayerKeyValues* past);

 private:
  RMSNorm input_layernorm_{nullptr}, post_attention_layernorm_{nullptr};
  RMSNorm pre_feedforward_layernorm_{nullptr}, post_feedforward_layernorm_{nullptr};  // Gemma 2
  LlamaAttention self_attn_{nullptr};
  LlamaMLP mlp_{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

// "model.*": embeddings, the decoder layers and the final norm.
class LlamaBackboneImpl : public torch::nn::Module {
 public:
  explicit LlamaBackboneImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& input_ids, const RotaryTables& rope, const AttentionMasks& masks,
                        KeyValueCache* cache);
  const torch::Tensor& token_embedding() const { return embed_tokens_->weight; }

 private:
  double embedding_scale_;
  Embedding embed_tokens_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  RMSNorm norm_{nullptr};
};
TORCH_MODULE(LlamaBackbone);

class LlamaForCausalLM : public CausalLM {
 public:
  explicit LlamaForCausalLM(const ModelConfig& config);
  torch::Tensor final_hidden(const ModelInput& input) override;
  torch::Tensor output_logits(const torch::Tensor& hidden) override;
  bool ignores_checkpoint_tensor(const std::string& name) const override;

 private:
  RotaryTables rotary_tables(const torch::Tensor& positions) const;
  AttentionMasks attention_masks(const ModelInput& input) const;

  LlamaBackbone model_{nullptr};
  Linear lm_head_{nullptr};  // null when tied to the token embedding
};

}  // namespace ft
