// The fine-tuning loss: per-token cross-entropy weighted by the token's loss weight (completion
// tokens 1, prompt tokens prompt_loss_weight).
//
// Normalisation: the loss of an optimizer step is sum(weight * cross_entropy) / sum(weight)
// over every predicted token of every example in the step, whatever the micro-batching, so
// gradient accumulation gives exactly the gradient of the whole batch at once. With weight 0 a
// prompt token contributes nothing to the loss or its gradient; with 1 it counts like a
// completion token.
#pragma once

#include "engine/data/packed_batch.h"

namespace ft {

struct TokenLossSums {
  torch::Tensor weighted_loss;  // sum(weight * cross_entropy), differentiable
  double weight = 0;            // sum(weight)
  int64_t correct_completion = 0;  // completion targets the logits' argmax predicts
  int64_t completion = 0;          // completion targets
};

TokenLossSums weighted_token_loss(const torch::Tensor& logits, const PackedBatch& batch);

}  // namespace ft
