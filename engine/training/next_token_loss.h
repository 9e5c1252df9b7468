// The language-modelling loss as transformers computes it: logits at position t predict the
// token at t + 1, so logits drop their last position and labels their first; the loss is the
// mean cross-entropy over every predicted position whose label is not -100.
#pragma once

#include <torch/torch.h>

namespace ft {

constexpr int64_t kIgnoreLabel = -100;

// logits [batch, time, vocab], labels [batch, time] (usually the input ids).
torch::Tensor next_token_loss(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace ft
