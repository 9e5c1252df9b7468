// Llama (and Mistral-style) decoder: RMSNorm, rotary position embeddings, grouped-query
// attention and a SwiGLU MLP, as transformers' LlamaForCausalLM computes them.
#pragma once

#include "engine/models/causal_lm.h"

namespace ft {

// y = x / sqrt(mean(x^2) + eps) * weight, computed in fp32.
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::Tensor weight_;
  double eps_;
};
TORCH_MODULE(RMSNorm);

// The cos and sin tables of the rotary embedding for given positions, [batch, time, head_dim].
struct RotaryTables {
  torch::Tensor cos, sin;
};

class LlamaAttentionImpl : public torch::nn::Module {
 public:
  explicit LlamaAttentionImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask);

 private:
  int64_t num_heads_, num_kv_heads_, head_dim_;
  double dropout_;
  torch::nn::Linear q_proj_{nullptr}, k_proj_{nullptr}, v_proj_{nullptr}, o_proj_{nullptr};
};
TORCH_MODULE(LlamaAttention);

// down(silu(gate(x)) * up(x))
class LlamaMLPImpl : public torch::nn::Module {
 public:
  explicit LlamaMLPImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear gate_proj_{nullptr}, up_proj_{nullptr}, down_proj_{nullptr};
};
TORCH_MODULE(LlamaMLP);

// Pre-norm residual block: x + attn(norm(x)), then h + mlp(norm(h)).
class LlamaDecoderLayerImpl : public torch::nn::Module {
 public:
  explicit LlamaDecoderLayerImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const torch::Tensor& mask);

 private:
  RMSNorm input_layernorm_{nullptr}, post_attention_layernorm_{nullptr};
  LlamaAttention self_attn_{nullptr};
  LlamaMLP mlp_{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

// "model.*": embeddings, the decoder layers and the final norm.
class LlamaBackboneImpl : public torch::nn::Module {
 public:
  explicit LlamaBackboneImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& input_ids, const RotaryTables& rope, const torch::Tensor& mask);
  const torch::Tensor& token_embedding() const { return embed_tokens_->weight; }

 private:
  torch::nn::Embedding embed_tokens_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  RMSNorm norm_{nullptr};
};
TORCH_MODULE(LlamaBackbone);

class LlamaForCausalLM : public CausalLM {
 public:
  explicit LlamaForCausalLM(const ModelConfig& config);
  torch::Tensor forward(const ModelInput& input) override;
  bool ignores_checkpoint_tensor(const std::string& name) const override;

 private:
  RotaryTables rotary_tables(const torch::Tensor& positions) const;

  LlamaBackbone model_{nullptr};
  torch::nn::Linear lm_head_{nullptr};  // null when tied to the token embedding
};

}  // namespace ft
