// Causal self-attention, shared by every architecture: libtorch's fused
// scaled_dot_product_attention, which picks a flash or memory-efficient kernel where the device
// and dtype allow and falls back to the textbook formula (the reference's) elsewhere.
#pragma once

#include <torch/torch.h>

#include <limits>

namespace ft {

// "May attend" [queries, keys] for queries that are the last of the keys' tokens (keys may hold
// cached earlier tokens ahead of them): query i sees key j when j <= i + keys - queries.
inline torch::Tensor causal_mask(int64_t queries, int64_t keys, const torch::TensorOptions& options) {
  return torch::ones({queries, keys}, options.dtype(torch::kBool)).tril(keys - queries);
}

// dropout(softmax(q k^T * scale + causal mask)) v, q [batch, heads, queries, head_dim] and k, v
// [batch, heads, keys, head_dim] with keys >= queries: the queries are the last tokens of the
// keys' (a key/value cache holds the earlier ones). `extra_mask` (optional, boolean
// [batch, 1, queries, keys], true = may attend) further restricts attention, for example to
// keep packed examples apart.
inline torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      double scale, double dropout, const torch::Tensor& extra_mask = {}) {
  const int64_t queries = q.size(-2), keys = k.size(-2);
  if (!extra_mask.defined() && queries == keys) {
    // is_causal lets the kernel skip the masked half instead of reading a mask.
    return at::scaled_dot_product_attention(q, k, v, {}, dropout, /*is_causal=*/true, scale);
  }
  if (!extra_mask.defined() && queries == 1) {  // the newest token sees every key
    return at::scaled_dot_product_attention(q, k, v, {}, dropout, /*is_causal=*/false, scale);
  }
  auto allowed = causal_mask(queries, keys, q.options());
  if (extra_mask.defined()) allowed = allowed.logical_and(extra_mask);
  return at::scaled_dot_product_attention(q, k, v, allowed, dropout, /*is_causal=*/false, scale);
}

// The same with the scores soft-capped before the mask, cap * tanh(scores / cap), as Gemma 2
// does. The fused kernel has no such step, so this is the textbook formula, softmax in fp32.
inline torch::Tensor softcapped_causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                                 double scale, double cap, double dropout,
                                                 const torch::Tensor& extra_mask = {}) {
  auto allowed = causal_mask(q.size(-2), k.size(-2), q.options());
  if (extra_mask.defined()) allowed = allowed.logical_and(extra_mask);
  auto scores = torch::tanh(torch::matmul(q, k.transpose(-2, -1)) * scale / cap) * cap;
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  auto probabilities = torch::softmax(scores, -1, torch::kFloat).to(q.scalar_type());
  return torch::matmul(torch::dropout(probabilities, dropout, dropout > 0), v);
}

}  // namespace ft
