#include "engine/training/next_token_loss.h"

namespace ft {

torch::Tensor next_token_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto time = logits.size(1);
  auto predicted = logits.narrow(1, 0, time - 1).reshape({-1, logits.size(-1)});
  auto targets = labels.narrow(1, 1, time - 1).reshape({-1});
  return torch::nn::functional::cross_entropy(
      predicted.to(torch::kFloat), targets,
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel));
}

}  // namespace ft
