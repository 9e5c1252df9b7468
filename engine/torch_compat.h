// Everything that differs between libtorch 1.13 (Debian, CPU) and libtorch 2.x (the GPU machine)
// lives here, so the rest of the engine is written once against one vocabulary.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>

#define FT_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace ft::compat {

// Causal self-attention dropout(softmax(q k^T * scale + causal mask)) v over
// [batch, heads, time, head_dim]. libtorch 2.x has a fused kernel; 1.13 gets the textbook
// formula, which is also the reference's. `extra_mask` (optional, boolean [batch, 1, time, time],
// true = may attend) further restricts attention, for example to keep packed examples apart.
inline torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k,
                                      const torch::Tensor& v, double scale, double dropout,
                                      const torch::Tensor& extra_mask = {}) {
  const int64_t t = q.size(-2);
  auto allowed = torch::ones({t, t}, q.options().dtype(torch::kBool)).tril();
  if (extra_mask.defined()) allowed = allowed.logical_and(extra_mask);
#if FT_TORCH_AT_LEAST(2, 1)
  return at::scaled_dot_product_attention(q, k, v, allowed, dropout, false, scale);
#else
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  return torch::matmul(torch::dropout(torch::softmax(scores, -1), dropout, dropout > 0), v);
#endif
}

inline std::string torch_version() { return TORCH_VERSION; }

}  // namespace ft::compat
