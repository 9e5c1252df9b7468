#include "engine/training/weighted_token_loss.h"

namespace ft {

TokenLossSums weighted_token_loss(const torch::Tensor& logits, const PackedBatch& batch) {
  const auto vocab = logits.size(-1);
  auto weights = batch.weights.to(logits.device());
  auto targets = batch.targets.to(logits.device());
  auto per_token = torch::nn::functional::cross_entropy(
      logits.reshape({-1, vocab}), targets.reshape({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  TokenLossSums sums;
  sums.weighted_loss = (per_token * weights.reshape({-1})).sum();
  sums.weight = weights.sum().item<double>();
  torch::NoGradGuard no_grad;
  auto completion = batch.completion.to(logits.device());
  auto correct = logits.argmax(-1).eq(targets).logical_and(completion);
  sums.correct_completion = correct.sum().item<int64_t>();
  sums.completion = completion.sum().item<int64_t>();
  return sums;
}

}  // namespace ft
