#include "engine/training/trainer.h"

#include "engine/core/error.h"
#include "engine/training/learning_rate_schedule.h"
#include "engine/training/weighted_token_loss.h"

#include <chrono>
#include <cmath>
#include <random>

namespace ft {
namespace {

namespace fs = std::filesystem;

// Mixes a seed with a position (epoch, step) into an independent stream seed (splitmix64).
uint64_t mix(uint64_t seed, uint64_t position) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (position + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

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

}  // namespace

Trainer::Trainer(std::shared_ptr<CausalLM> model, const Tokenizer& tokenizer, TrainingOptions options,
                 std::vector<TokenizedExample> training, std::vector<TokenizedExample> validation,
                 fs::path checkpoint_dir)
    : model_(std::move(model)),
      tokenizer_(tokenizer),
      options_(options),
      training_(std::move(training)),
      validation_(std::move(validation)),
      optimizer_(model_->named_parameters(), options.adamw) {
  check_options(options_, training_.size());
  if (!checkpoint_dir.empty()) checkpoints_.emplace(std::move(checkpoint_dir), options_.keep_checkpoints);
}

int64_t Trainer::steps_per_epoch() const {
  const auto n = static_cast<int64_t>(training_.size());
  return (n + options_.batch_size - 1) / options_.batch_size;
}

std::vector<size_t> Trainer::epoch_order(int64_t epoch) const {
  // Fisher-Yates over mt19937_64, whose output the C++ standard fixes, so the order is the
  // same with every standard library.
  std::mt19937_64 random(mix(options_.seed, static_cast<uint64_t>(epoch)));
  std::vector<size_t> order(training_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random() % i]);
  return order;
}

TrainingOutcome Trainer::run(const TrainingCallbacks& callbacks) {
  if (options_.threads > 0) at::set_num_threads(options_.threads);
  const int64_t per_epoch = steps_per_epoch();
  const auto batch = static_cast<size_t>(options_.batch_size);
  // A run resumed inside an epoch continues at the step it stopped after, in the same order.
  for (int64_t epoch = position_.step / per_epoch; epoch < options_.n_epochs; ++epoch) {
    const auto order = epoch_order(epoch);
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
  torch::manual_seed(mix(options_.seed ^ 0x5eedull, static_cast<uint64_t>(position_.step)));
  model_->train();
  const auto micro_batches = pack_micro_batches(examples);
  double total_weight = 0;
  for (const auto& mb : micro_batches) total_weight += mb.weights.sum().item<double>();
  // A batch of prompts with weight 0 has nothing to learn; its loss is 0, not 0/0.
  const double normaliser = total_weight > 0 ? total_weight : 1.0;
  optimizer_.zero_grad();
  double loss_sum = 0;
  int64_t correct = 0, completion = 0, tokens = 0;
  for (const auto& mb : micro_batches) {
    if (cancel && cancel->load()) return false;
    auto sums = micro_batch_loss(*model_, mb, options_.precision, 1.0 / normaliser);
    loss_sum += sums.weighted_loss.item<double>();
    correct += sums.correct_completion;
    completion += sums.completion;
    tokens += mb.tokens;
  }
  const double loss = loss_sum / normaliser;
  if (!std::isfinite(loss)) {
    throw Error(ErrorKind::invalid_input, "step " + std::to_string(position_.step + 1) + ": the training loss became " +
                                              (std::isnan(loss) ? "NaN" : "infinite") +
                                              "; training stopped (checkpoints written before this step are intact)");
  }
  clip_gradient_norm(model_->named_parameters(), options_.max_grad_norm);
  const double lr = scheduled_learning_rate(options_.learning_rate, position_.step, options_.warmup_steps, total_steps());
  optimizer_.step(lr);
  ++position_.step;
  position_.tokens_seen += tokens;
  position_.examples_seen += static_cast<int64_t>(examples.size());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.step = position_.step;
  metrics.total_steps = total_steps();
  metrics.tokens_seen = position_.tokens_seen;
  metrics.examples_seen = position_.examples_seen;
  metrics.train_loss = loss;
  metrics.train_mean_token_accuracy = completion ? static_cast<double>(correct) / completion : 0.0;
  metrics.learning_rate = lr;
  metrics.tokens_per_second = seconds > 0 ? tokens / seconds : 0.0;
  return true;
}

std::vector<PackedBatch> Trainer::pack_micro_batches(const std::vector<const TokenizedExample*>& examples) const {
  std::vector<PackedBatch> micro_batches;
  const auto size = static_cast<size_t>(options_.micro_batch_size);
  for (size_t i = 0; i < examples.size(); i += size) {
    const auto end = examples.begin() + static_cast<long>(std::min(examples.size(), i + size));
    micro_batches.push_back(pack_examples({examples.begin() + static_cast<long>(i), end}, options_.max_seq_len,
                                          options_.prompt_loss_weight));
  }
  return micro_batches;
}

Evaluation Trainer::evaluate(const std::vector<TokenizedExample>& examples) {
  torch::NoGradGuard no_grad;
  model_->eval();
  std::vector<const TokenizedExample*> all;
  for (const auto& e : examples) all.push_back(&e);
  double loss_sum = 0, weight = 0;
  int64_t correct = 0, completion = 0;
  for (const auto& mb : pack_micro_batches(all)) {
    auto sums = micro_batch_loss(*model_, mb, options_.precision, std::nullopt);
    loss_sum += sums.weighted_loss.item<double>();
    weight += sums.weight;
    correct += sums.correct_completion;
    completion += sums.completion;
  }
  model_->train();
  return {weight > 0 ? loss_sum / weight : 0.0, completion ? static_cast<double>(correct) / completion : 0.0};
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

}  // namespace ft
