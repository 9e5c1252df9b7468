#include "engine/training/trainer.h"

#include "engine/core/error.h"
#include "engine/data/epoch_order.h"
#include "engine/distributed/tensor_buckets.h"
#include "engine/training/learning_rate_schedule.h"
#include "engine/training/thread_count_scope.h"
#include "engine/training/weighted_token_loss.h"

#include <chrono>
#include <cmath>

namespace ft {
namespace {

namespace fs = std::filesystem;

void check_options(const TrainingOptions& o, size_t examples) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw Error(ErrorKind::invalid_argument, "training options: " + what);
  };
  require(examples > 0, "no training examples");
  require(o.n_epochs >= 1, "n_epochs must be at least 1");
  require(o.batch_size >= 1 && o.micro_batch_size >= 1, "batch and micro-batch sizes must be at least 1");
  require(o.max_seq_len >= 2, "max_seq_len must be at least 2");
  require(o.learning_rate > 0 && std::isfinite(o.learning_rate), "learning_rate must be positive");
  require(o.keep_checkpoints >= 1, "keep_checkpoints must be at least 1");
  require(o.checkpoint_interval_steps >= 0, "checkpoint_interval_steps must be 0 (epoch ends only) or more");
}

// Evaluation mode (no dropout) for a scope, then the mode the model was in, also when the scope
// throws: evaluating between training steps must not leave dropout off, nor turn it on in a
// model the caller keeps in evaluation mode.
class EvaluationModeScope {
 public:
  explicit EvaluationModeScope(torch::nn::Module& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
  }
  ~EvaluationModeScope() { model_.train(was_training_); }
  EvaluationModeScope(const EvaluationModeScope&) = delete;
  EvaluationModeScope& operator=(const EvaluationModeScope&) = delete;

 private:
  torch::nn::Module& model_;
  bool was_training_;
};

}  // namespace

Trainer::Trainer(std::shared_ptr<CausalLM> model, const Tokenizer& tokenizer, TrainingOptions options,
                 std::vector<TokenizedExample> training, std::vector<TokenizedExample> validation,
                 fs::path checkpoint_dir, std::shared_ptr<DistributedGroup> group)
    : model_(std::move(model)),
      tokenizer_(tokenizer),
      options_(options),
      training_(std::move(training)),
      validation_(std::move(validation)),
      optimizer_(model_->named_parameters(), options.adamw),
      group_(std::move(group)) {
  check_options(options_, training_.size());
  if (!checkpoint_dir.empty()) checkpoints_.emplace(std::move(checkpoint_dir), options_.keep_checkpoints);
}

int64_t Trainer::steps_per_epoch() const {
  const auto n = static_cast<int64_t>(training_.size());
  return (n + options_.batch_size - 1) / options_.batch_size;
}

TrainingOutcome Trainer::run(const TrainingCallbacks& callbacks) {
  // The plan's thread count for this run only: the next plan measures from the process's own.
  const ThreadCountScope threads(options_.threads);
  const int64_t per_epoch = steps_per_epoch();
  const auto batch = static_cast<size_t>(options_.batch_size);
  // A run resumed inside an epoch continues at the step it stopped after, in the same order.
  for (int64_t epoch = position_.step / per_epoch; epoch < options_.n_epochs && !stops_early(); ++epoch) {
    const auto order = epoch_order(training_.size(), options_.seed, epoch);
    for (int64_t s = position_.step - epoch * per_epoch; s < per_epoch; ++s) {
      std::vector<const TokenizedExample*> examples;
      for (size_t i = s * batch; i < std::min(order.size(), (s + 1) * batch); ++i) examples.push_back(&training_[order[i]]);
      StepMetrics metrics;
      metrics.epoch = epoch + 1;
      if (!train_step(examples, metrics, callbacks.cancel)) return TrainingOutcome::cancelled;
      const bool epoch_end = s + 1 == per_epoch;
      const bool interval = options_.eval_interval_steps > 0 && position_.step % options_.eval_interval_steps == 0;
      if (!validation_.empty() && (interval || epoch_end)) {
        const auto e = evaluate(validation_);
        metrics.valid_loss = e.loss;
        metrics.valid_mean_token_accuracy = e.mean_token_accuracy;
        if (epoch_end && options_.keep_best_epoch) compare_with_best_epoch(epoch + 1, e.completion_loss);
      }
      if (callbacks.on_step) callbacks.on_step(metrics);
      if (epoch_end) position_.completed_epochs = epoch + 1;
      save_checkpoint_if_due(epoch_end, callbacks);
    }
  }
  return TrainingOutcome::completed;
}

bool Trainer::train_step(const std::vector<const TokenizedExample*>& examples, StepMetrics& metrics,
                         const std::atomic<bool>* cancel) {
  const auto started = std::chrono::steady_clock::now();
  uint64_t step_seed = mix_seed(options_.seed ^ 0x5eedull, static_cast<uint64_t>(position_.step));
  // Each rank draws its own dropout masks for its own examples; rank 0 draws what one process would.
  if (group_ && group_->rank() > 0) step_seed = mix_seed(step_seed, static_cast<uint64_t>(group_->rank()));
  torch::manual_seed(step_seed);
  model_->train();
  const auto micro_batches = pack_micro_batches(rank_share(examples), options_.prompt_loss_weight);
  double local_weight = 0;
  for (const auto& mb : micro_batches) local_weight += mb.weights.sum().item<double>();
  // The whole batch's weight, and whether any rank was asked to cancel.
  std::vector<double> start = {local_weight, cancel && cancel->load() ? 1.0 : 0.0};
  sum_over_ranks(start);
  if (start[1] > 0) return false;
  // A batch of prompts with weight 0 has nothing to learn; its loss is 0, not 0/0.
  const double normaliser = start[0] > 0 ? start[0] : 1.0;
  optimizer_.zero_grad();
  // Loss sum, correct and all completion tokens, tokens.
  std::vector<double> sums = {0, 0, 0, 0};
  for (const auto& mb : micro_batches) {
    if (!group_ && cancel && cancel->load()) return false;
    auto micro = micro_batch_loss(*model_, mb, options_.precision, 1.0 / normaliser);
    sums[0] += micro.weighted_loss.item<double>();
    sums[1] += static_cast<double>(micro.correct_completion);
    sums[2] += static_cast<double>(micro.completion);
    sums[3] += static_cast<double>(mb.tokens);
  }
  sum_over_ranks(sums);
  const double loss = sums[0] / normaliser;
  if (!std::isfinite(loss)) {
    throw TrainingDiverged("step " + std::to_string(position_.step + 1) + ": the training loss became " +
                           (std::isnan(loss) ? "NaN" : "infinite") +
                           "; training stopped (checkpoints written before this step are intact)");
  }
  sum_gradients_over_ranks();
  clip_gradient_norm(model_->named_parameters(), options_.max_grad_norm);
  const double lr = scheduled_learning_rate(options_.learning_rate, position_.step, options_.warmup_steps, total_steps());
  optimizer_.step(lr);
  const auto tokens = static_cast<int64_t>(sums[3]);
  ++position_.step;
  position_.tokens_seen += tokens;
  position_.examples_seen += static_cast<int64_t>(examples.size());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.step = position_.step;
  metrics.total_steps = total_steps();
  metrics.tokens_seen = position_.tokens_seen;
  metrics.examples_seen = position_.examples_seen;
  metrics.train_loss = loss;
  metrics.train_mean_token_accuracy = sums[2] > 0 ? sums[1] / sums[2] : 0.0;
  metrics.learning_rate = lr;
  metrics.tokens_per_second = seconds > 0 ? static_cast<double>(tokens) / seconds : 0.0;
  return true;
}

std::vector<const TokenizedExample*> Trainer::rank_share(const std::vector<const TokenizedExample*>& examples) const {
  if (!group_) return examples;
  const size_t n = examples.size(), ranks = static_cast<size_t>(group_->size()), rank = static_cast<size_t>(group_->rank());
  return {examples.begin() + static_cast<long>(n * rank / ranks), examples.begin() + static_cast<long>(n * (rank + 1) / ranks)};
}

void Trainer::sum_over_ranks(std::vector<double>& values) {
  if (!group_) return;
  auto tensor = torch::tensor(values, torch::kDouble);
  std::vector<torch::Tensor> one{tensor};
  group_->all_reduce_sum(one);
  for (size_t i = 0; i < values.size(); ++i) values[i] = tensor[static_cast<int64_t>(i)].item<double>();
}

void Trainer::sum_gradients_over_ranks() {
  if (!group_) return;
  std::vector<torch::Tensor> trainable;
  std::vector<double> has_gradient;
  for (const auto& p : model_->parameters()) {
    if (!p.requires_grad()) continue;
    trainable.push_back(p);
    has_gradient.push_back(p.grad().defined() ? 1.0 : 0.0);
  }
  // A rank whose share was empty has no gradients; a parameter no rank used keeps none.
  sum_over_ranks(has_gradient);
  std::vector<torch::Tensor> gradients;
  for (size_t i = 0; i < trainable.size(); ++i) {
    if (has_gradient[i] == 0) continue;
    auto& p = trainable[i];
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    gradients.push_back(p.grad());
  }
  all_reduce_in_buckets(*group_, gradients);
}

std::vector<PackedBatch> Trainer::pack_micro_batches(const std::vector<const TokenizedExample*>& examples,
                                                    double prompt_loss_weight) const {
  std::vector<PackedBatch> micro_batches;
  const auto size = static_cast<size_t>(options_.micro_batch_size);
  for (size_t i = 0; i < examples.size(); i += size) {
    const auto end = examples.begin() + static_cast<long>(std::min(examples.size(), i + size));
    micro_batches.push_back(pack_examples({examples.begin() + static_cast<long>(i), end}, options_.max_seq_len,
                                          prompt_loss_weight));
  }
  return micro_batches;
}

void Trainer::compare_with_best_epoch(int64_t epoch, double completion_loss) {
  // A loss that is not finite never counts as the best; the training loss would have stopped the run.
  if (!std::isfinite(completion_loss)) return;
  if (position_.best_epoch == 0 || completion_loss < position_.best_valid_loss) {
    position_.best_epoch = epoch;
    position_.best_valid_loss = completion_loss;
  }
}

bool Trainer::stops_early() const {
  return options_.keep_best_epoch && options_.early_stopping_epochs > 0 && position_.best_epoch > 0 &&
         position_.completed_epochs - position_.best_epoch >= options_.early_stopping_epochs;
}

Evaluation Trainer::evaluate(const std::vector<TokenizedExample>& examples, std::optional<double> prompt_loss_weight) {
  torch::NoGradGuard no_grad;
  EvaluationModeScope evaluation_mode(*model_);
  std::vector<const TokenizedExample*> all;
  for (const auto& e : examples) all.push_back(&e);
  // Loss sum, weight, correct and all completion tokens, completion loss sum; data parallel, each
  // rank evaluates every world_size-th micro-batch.
  std::vector<double> sums = {0, 0, 0, 0, 0};
  const auto micro_batches = pack_micro_batches(all, prompt_loss_weight.value_or(options_.prompt_loss_weight));
  const size_t first = group_ ? static_cast<size_t>(group_->rank()) : 0, stride = group_ ? static_cast<size_t>(group_->size()) : 1;
  for (size_t i = first; i < micro_batches.size(); i += stride) {
    auto micro = micro_batch_loss(*model_, micro_batches[i], options_.precision, std::nullopt);
    sums[0] += micro.weighted_loss.item<double>();
    sums[1] += micro.weight;
    sums[2] += static_cast<double>(micro.correct_completion);
    sums[3] += static_cast<double>(micro.completion);
    sums[4] += micro.completion_loss;
  }
  sum_over_ranks(sums);
  return {sums[1] > 0 ? sums[0] / sums[1] : 0.0, sums[3] > 0 ? sums[2] / sums[3] : 0.0,
          sums[3] > 0 ? sums[4] / sums[3] : 0.0};
}

uint64_t Trainer::data_fingerprint() const {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over every token and mask of the training set
  auto add = [&](uint64_t v) { h = (h ^ v) * 0x100000001b3ull; };
  for (const auto& e : training_) {
    add(e.tokens.size());
    for (size_t i = 0; i < e.tokens.size(); ++i) add(static_cast<uint64_t>(e.tokens[i]) * 2 + e.completion[i]);
  }
  add(static_cast<uint64_t>(options_.batch_size));
  add(options_.seed);
  return h;
}

void Trainer::save_checkpoint_if_due(bool epoch_end, const TrainingCallbacks& callbacks) {
  const int64_t interval = options_.checkpoint_interval_steps;
  if (!checkpoints_ || !(epoch_end || (interval > 0 && position_.step % interval == 0))) return;
  const auto saved =
      checkpoints_->save(position_, epoch_end, *model_, tokenizer_, optimizer_, data_fingerprint(), options_.seed);
  if (callbacks.on_checkpoint) callbacks.on_checkpoint(saved);
}

void Trainer::resume_from(const fs::path& checkpoint) {
  position_ = TrainingCheckpoints::load(checkpoint, data_fingerprint(), *model_, optimizer_);
}

void Trainer::synchronize_ranks() {
  if (!group_) return;
  const auto fingerprint = static_cast<int64_t>(data_fingerprint());
  auto scalars = torch::tensor({fingerprint, position_.step, position_.completed_epochs, position_.tokens_seen,
                                position_.examples_seen, optimizer_.steps_taken(), position_.best_epoch},
                               torch::kLong);
  auto best_loss = torch::tensor({position_.best_valid_loss}, torch::kDouble);
  std::vector<torch::Tensor> one{scalars, best_loss};
  group_->broadcast_from_rank0(one);
  if (scalars[0].item<int64_t>() != fingerprint) {
    throw Error(ErrorKind::invalid_input,
                "rank " + std::to_string(group_->rank()) +
                    ": its training data, batch size or seed differ from rank 0's (every rank must read the same "
                    "training file)",
                "training_file");
  }
  position_ = {scalars[1].item<int64_t>(), scalars[2].item<int64_t>(), scalars[3].item<int64_t>(),
               scalars[4].item<int64_t>(), scalars[6].item<int64_t>(), best_loss[0].item<double>()};
  optimizer_.set_steps_taken(scalars[5].item<int64_t>());
  std::vector<torch::Tensor> state;
  for (const auto& p : model_->parameters()) {
    if (p.requires_grad()) state.push_back(p);
  }
  for (const auto& [name, tensor] : optimizer_.state()) {
    if (name != "step") state.push_back(tensor);
  }
  broadcast_in_buckets(*group_, state);
}

}  // namespace ft
