#include "engine/training/weighted_token_loss.h"

namespace ft {
namespace {

constexpr int64_t logits_per_chunk = int64_t(1) << 25;

// Where the logits' largest value is the target's: the token accuracy's "predicted". One max
// reduction and a gather; argmax, which also tracks the index, took 6 to 15 times as long on the
// CPU, up to 3% of a training step. A tie at the largest value counts as predicted (argmax would
// take the tie's first token), which float logits all but never meet.
torch::Tensor predicts_target(const torch::Tensor& logits, const torch::Tensor& targets) {
  return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1).ge(logits.amax(-1));
}

torch::Tensor per_token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets) {
  return torch::nn::functional::cross_entropy(logits, targets,
                                              torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
}

}  // namespace

int64_t loss_chunk_positions(int64_t vocab_size) { return std::max<int64_t>(1, logits_per_chunk / std::max<int64_t>(1, vocab_size)); }

TokenLossSums chunked_token_loss(CausalLM& model, const torch::Tensor& hidden, const PackedBatch& batch,
                                 const ChunkedLoss& how) {
  const auto& gradient_scale = how.gradient_scale;
  const auto device = hidden.device();
  const auto positions = hidden.reshape({-1, hidden.size(-1)});
  // With a backward pass, the head runs on a detached copy per chunk: its graph ends at the
  // chunk, and the chunk's hidden-state gradient is collected for the rest of the model.
  const auto head_input = gradient_scale ? positions.detach() : positions;
  const auto targets = batch.targets.to(device).reshape({-1});
  const auto weights = batch.weights.to(device).reshape({-1});
  const auto completion = batch.completion.to(device).reshape({-1});
  const int64_t total = positions.size(0), chunk = std::max<int64_t>(1, how.chunk_positions);
  std::vector<torch::Tensor> hidden_gradients;
  double loss = 0;
  TokenLossSums sums;
  AutocastCastCache head_weight_cast(how.precision);
  for (int64_t start = 0; start < total; start += chunk) {
    const int64_t length = std::min(chunk, total - start);
    auto h = head_input.narrow(0, start, length);
    if (gradient_scale) h = h.detach().requires_grad_(true);
    torch::Tensor logits;
    {
      AutocastScope autocast(device, how.precision);
      logits = model.output_logits(h);
    }
    const auto cross_entropy = per_token_cross_entropy(logits, targets.narrow(0, start, length));
    const auto weighted = (cross_entropy * weights.narrow(0, start, length)).sum();
    if (gradient_scale) {
      (weighted * *gradient_scale).backward();
      hidden_gradients.push_back(h.grad());
    }
    loss += weighted.item<double>();
    torch::NoGradGuard no_grad;
    const auto is_completion = completion.narrow(0, start, length);
    // Evaluation's alone: training does not read it, and each .item() waits for the device.
    if (!gradient_scale) sums.completion_loss += cross_entropy.masked_select(is_completion).sum().item<double>();
    sums.correct_completion +=
        predicts_target(logits, targets.narrow(0, start, length)).logical_and(is_completion).sum().item<int64_t>();
  }
  // (Nothing below the head trains when only the head has adapters.)
  if (gradient_scale && positions.requires_grad()) positions.backward(torch::cat(hidden_gradients));
  sums.weighted_loss = torch::tensor(loss, torch::kDouble);
  sums.weight = weights.sum().item<double>();
  sums.completion = completion.sum().item<int64_t>();
  return sums;
}

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
  sums.completion_loss = per_token.masked_select(completion.reshape({-1})).sum().item<double>();
  auto correct = predicts_target(logits, targets).logical_and(completion);
  sums.correct_completion = correct.sum().item<int64_t>();
  sums.completion = completion.sum().item<int64_t>();
  return sums;
}

TokenLossSums micro_batch_loss(CausalLM& model, const PackedBatch& mb, Precision precision,
                               std::optional<double> gradient_scale) {
  const auto device = model.parameters().front().device();
  torch::Tensor hidden;
  {
    AutocastScope autocast(device, precision);
    hidden = model.final_hidden(ModelInput(mb.input_ids.to(device), mb.position_ids.to(device), mb.segment_ids.to(device)));
  }
  return chunked_token_loss(model, hidden, mb, {loss_chunk_positions(model.config().vocab_size), gradient_scale, precision});
}

}  // namespace ft
