// Causal self-attention, shared by every architecture: libtorch's fused
// scaled_dot_product_attention, which picks a flash or memory-efficient kernel where the device
// and dtype allow and falls back to the textbook formula (the reference's) elsewhere.
#pragma once

#include <torch/torch.h>

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

}  // namespace ft
