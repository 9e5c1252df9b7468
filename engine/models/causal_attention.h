// Causal self-attention, shared by every architecture: libtorch's fused
// scaled_dot_product_attention, which picks a flash or memory-efficient kernel where the device
// and dtype allow and falls back to the textbook formula (the reference's) elsewhere.
#pragma once

#include <torch/torch.h>

#include <limits>

namespace ft {

// dropout(softmax(q k^T * scale + causal mask)) v over [batch, heads, time, head_dim].
// `extra_mask` (optional, boolean [batch, 1, time, time], true = may attend) further restricts
// attention, for example to keep packed examples apart.
inline torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      double scale, double dropout, const torch::Tensor& extra_mask = {}) {
  if (!extra_mask.defined()) {
    // is_causal lets the kernel skip the masked half instead of reading a mask.
    return at::scaled_dot_product_attention(q, k, v, {}, dropout, /*is_causal=*/true, scale);
  }
  const int64_t t = q.size(-2);
  auto allowed = torch::ones({t, t}, q.options().dtype(torch::kBool)).tril().logical_and(extra_mask);
  return at::scaled_dot_product_attention(q, k, v, allowed, dropout, /*is_causal=*/false, scale);
}

// The same with the scores soft-capped before the mask, cap * tanh(scores / cap), as Gemma 2
// does. The fused kernel has no such step, so this is the textbook formula, softmax in fp32.
inline torch::Tensor softcapped_causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                                 double scale, double cap, double dropout,
                                                 const torch::Tensor& extra_mask = {}) {
  const int64_t t = q.size(-2);
  auto allowed = torch::ones({t, t}, q.options().dtype(torch::kBool)).tril();
  if (extra_mask.defined()) allowed = allowed.logical_and(extra_mask);
  auto scores = torch::tanh(torch::matmul(q, k.transpose(-2, -1)) * scale / cap) * cap;
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  auto probabilities = torch::softmax(scores, -1, torch::kFloat).to(q.scalar_type());
  return torch::matmul(torch::dropout(probabilities, dropout, dropout > 0), v);
}

}  // namespace ft
