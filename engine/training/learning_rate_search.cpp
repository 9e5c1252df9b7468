#include "engine/training/learning_rate_search.h"

#include "engine/core/error.h"
#include "engine/planning/hyperparameter_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ft {
namespace {

// `count` indices of [0, n) spread evenly: the middle of each of `count` equal parts.
std::vector<size_t> spread(size_t n, size_t count) {
  std::vector<size_t> picked;
  for (size_t j = 0; j < std::min(n, count); ++j) picked.push_back((2 * j + 1) * n / (2 * std::min(n, count)));
  return picked;
}

std::vector<TokenizedExample> pick(const std::vector<TokenizedExample>& from, const std::vector<size_t>& indices) {
  std::vector<TokenizedExample> picked;
  picked.reserve(indices.size());
  for (const auto i : indices) picked.push_back(from[i]);
  return picked;
}

// The trainable weights as they were, put back with copy_ so that the optimizer and the
// model keep the same tensors.
class TrainableWeights {
 public:
  explicit TrainableWeights(CausalLM& model) {
    torch::NoGradGuard no_grad;
    for (auto& p : model.parameters()) {
      if (!p.requires_grad()) continue;
      parameters_.push_back(p);
      initial_.push_back(p.detach().clone());
    }
  }
  void restore() {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < parameters_.size(); ++i) {
      parameters_[i].copy_(initial_[i]);
      parameters_[i].mutable_grad() = torch::Tensor();
    }
  }

 private:
  std::vector<torch::Tensor> parameters_, initial_;
};

struct TrialScore {
  double held_out_loss = 0;
  int64_t epoch = 0;  // the epoch scored
};

// One trial from the starting weights: the held-out completion loss after its last epoch, or,
// when the run keeps its best epoch, after its best (the held-out examples are then its
// validation set, and it stops early as the run would); infinity when the training loss
// diverged, nullopt when cancelled.
std::optional<TrialScore> run_trial(const std::shared_ptr<CausalLM>& model, const Tokenizer& tokenizer,
                                const LearningRateSearch& search, const LearningRateSearchData& data, double learning_rate,
                                int64_t n_epochs, const std::atomic<bool>* cancel) {
  TrainingOptions options = search.run;
  options.learning_rate = learning_rate;
  options.n_epochs = n_epochs;
  options.eval_interval_steps = 0;
  const int64_t steps = optimizer_steps(static_cast<int64_t>(data.training.size()), options.batch_size, n_epochs);
  options.warmup_steps = (search.run.warmup_steps * steps + search.run_total_steps - 1) / search.run_total_steps;
  const bool per_epoch = options.keep_best_epoch;
  Trainer trainer(model, tokenizer, options, data.training, per_epoch ? data.held_out : std::vector<TokenizedExample>{}, {});
  TrainingCallbacks callbacks;
  callbacks.cancel = cancel;
  try {
    if (trainer.run(callbacks) == TrainingOutcome::cancelled) return std::nullopt;
  } catch (const TrainingDiverged&) {
    return TrialScore{std::numeric_limits<double>::infinity(), trainer.position().completed_epochs};
  }
  const auto& position = trainer.position();
  TrialScore score{std::numeric_limits<double>::infinity(), position.completed_epochs};
  if (!per_epoch) score.held_out_loss = trainer.evaluate(data.held_out, 0.0).completion_loss;
  else if (position.best_epoch > 0) score = {position.best_valid_loss, position.best_epoch};
  if (!std::isfinite(score.held_out_loss)) score.held_out_loss = std::numeric_limits<double>::infinity();
  return score;
}

}  // namespace

LearningRateSearchData learning_rate_search_data(const std::vector<TokenizedExample>& training,
                                                 const std::vector<TokenizedExample>& validation,
                                                 const LearningRateProbeSettings& settings) {
  LearningRateSearchData data;
  const auto held_out = static_cast<size_t>(settings.held_out), trial = static_cast<size_t>(settings.trial_examples);
  if (!validation.empty()) {
    data.held_out.assign(validation.begin(), validation.begin() + static_cast<long>(std::min(held_out, validation.size())));
    data.training = pick(training, spread(training.size(), trial));
    return data;
  }
  const auto set_aside = spread(training.size(), held_out);
  data.held_out = pick(training, set_aside);
  std::vector<TokenizedExample> rest;
  for (size_t i = 0, next = 0; i < training.size(); ++i) {
    if (next < set_aside.size() && set_aside[next] == i) {
      ++next;
    } else {
      rest.push_back(training[i]);
    }
  }
  data.training = pick(rest, spread(rest.size(), trial));
  return data;
}

std::optional<std::vector<LearningRateTrial>> search_learning_rate(
    const std::shared_ptr<CausalLM>& model, const Tokenizer& tokenizer, const LearningRateSearch& search,
    const LearningRateSearchData& data, const std::atomic<bool>* cancel,
    const std::function<void(const LearningRateTrial&)>& on_trial) {
  if (data.training.empty() || data.held_out.empty()) {
    throw Error(ErrorKind::internal, "a learning-rate probe needs examples to train on and examples to score");
  }
  TrainableWeights starting(*model);
  std::map<int, double> losses;  // at the run's epochs: 2x steps from the rule's rate -> held-out loss
  std::vector<LearningRateTrial> trials;
  bool cancelled = false;
  // Runs a trial at `k` 2x steps from the rule's rate over `epochs`; false when cancelled.
  auto run = [&](int k, int64_t epochs) {
    const double rate = search.run.learning_rate * std::ldexp(1.0, k);
    std::optional<TrialScore> score;
    try {
      score = run_trial(model, tokenizer, search, data, rate, epochs, cancel);
    } catch (...) {
      starting.restore();
      throw;
    }
    starting.restore();
    if (!score) return false;
    trials.push_back({rate, epochs, score->held_out_loss, score->epoch});
    if (on_trial) on_trial(trials.back());
    return true;
  };
  // A trial at the run's epochs, unless it ran or the rate trials are spent.
  auto trial = [&](int k) {
    if (cancelled || losses.count(k) || static_cast<int64_t>(losses.size()) >= search.trials) return;
    cancelled = !run(k, search.run.n_epochs);
    if (!cancelled) losses[k] = trials.back().held_out_loss;
  };
  auto best = [&] {
    return std::min_element(losses.begin(), losses.end(), [](const auto& a, const auto& b) { return a.second < b.second; })->first;
  };
  for (const int k : {0, 2, -2}) trial(k);
  // Walk 4x at a time while the best is at an end, so that the best is enclosed.
  while (!cancelled && static_cast<int64_t>(losses.size()) < search.trials) {
    const int b = best();
    if (b != losses.rbegin()->first && b != losses.begin()->first) break;
    trial(b == losses.rbegin()->first ? b + 2 : b - 2);
  }
  // Then the 2x neighbours of the best, first on the side whose 4x neighbour scored better.
  const int b = best();
  const auto score = [&](int k) { return losses.count(k) ? losses[k] : std::numeric_limits<double>::infinity(); };
  const int side = score(b - 2) < score(b + 2) ? -1 : 1;
  trial(b + side);
  trial(b - side);
  // Longer runs at the best rate and half of it: more epochs usually want a lower rate.
  if (search.longer_epochs > search.run.n_epochs) {
    const int best_rate = best();
    for (int i = 0; i < kLongerEpochTrials && !cancelled; ++i) cancelled = !run(best_rate - i, search.longer_epochs);
  }
  if (cancelled) return std::nullopt;
  return trials;
}

}  // namespace ft
