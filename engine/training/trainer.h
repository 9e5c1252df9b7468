// The training loop: AdamW with decoupled weight decay, linear warm-up then decay, gradient
// accumulation of packed micro-batches up to the batch size, global gradient-norm clipping,
// evaluation on a validation set, per-step metrics, cooperative cancellation, and checkpoints
// (training_checkpoint.h) at the end of every epoch and every checkpoint_interval_steps inside
// one, from which a run resumes exactly.
//
// Determinism: the data order of epoch e is a permutation drawn from (seed, e) (epoch_order.h),
// and libtorch's generator (dropout) is re-seeded from (seed, step) before every optimizer step.
// Both are functions of the position in the run, so a resumed run draws exactly what an
// uninterrupted one would have.
//
// Data parallel (with a DistributedGroup): every rank holds the whole training set and draws the
// same order; each rank trains a contiguous share of every step's examples in its micro-batches,
// the loss is normalised by the weight of the whole step's batch, and the gradients are summed
// over the ranks in buckets, so every rank steps the same optimizer on the gradient one process
// would have computed for the whole batch. Ranks agree on cancelling at the start of each step.
#pragma once

#include "engine/core/error.h"
#include "engine/data/example_template.h"
#include "engine/distributed/distributed_group.h"
#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/adamw.h"
#include "engine/training/mixed_precision.h"
#include "engine/training/training_checkpoint.h"
#include "engine/training/weighted_token_loss.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>

namespace ft {

struct TrainingOptions {
  int64_t n_epochs = 3;
  int64_t batch_size = 8;        // examples per optimizer step
  int64_t micro_batch_size = 8;  // examples per forward/backward pass; accumulation makes up the batch
  int64_t max_seq_len = 256;     // longer examples are truncated
  double learning_rate = 1e-4;   // peak
  int64_t warmup_steps = 0;
  double prompt_loss_weight = 0.01;
  AdamWOptions adamw;
  double max_grad_norm = 1.0;
  uint64_t seed = 0;
  int64_t eval_interval_steps = 0;  // 0: at the end of every epoch only
  Precision precision = Precision::fp32;  // bf16: forward passes under bf16 autocast
  int64_t checkpoint_interval_steps = 0;  // 0: at the end of every epoch only
  int keep_checkpoints = 3;               // the newest ones, besides the last epoch's
  int threads = 0;  // CPU threads of the training thread's products; 0: libtorch's default
  // Epoch selection (the plan's "best_validation"): after every epoch the validation examples'
  // completion loss is compared with the best so far (position().best_epoch), and the run stops
  // once `early_stopping_epochs` epochs in a row have not improved on it (0: never). Without
  // validation examples nothing is selected.
  bool keep_best_epoch = false;
  int64_t early_stopping_epochs = 0;
};

struct StepMetrics {
  int64_t step = 0;  // 1-based optimizer step
  int64_t total_steps = 0;
  int64_t epoch = 0;  // 1-based epoch the step belongs to
  int64_t tokens_seen = 0;
  int64_t examples_seen = 0;
  double train_loss = 0;
  double train_mean_token_accuracy = 0;
  double learning_rate = 0;
  double tokens_per_second = 0;
  std::optional<double> valid_loss;
  std::optional<double> valid_mean_token_accuracy;
};

struct Evaluation {
  double loss = 0;  // per unit of loss weight, prompt tokens weighted as asked
  double mean_token_accuracy = 0;
  double completion_loss = 0;  // per completion token, prompt tokens left out
};

enum class TrainingOutcome { completed, cancelled };

// The training loss became NaN or infinite: the learning rate is too high for the data (or the
// data holds something the model cannot represent). A learning-rate probe scores such a trial as
// diverged; a job fails with the message.
class TrainingDiverged : public Error {
 public:
  explicit TrainingDiverged(const std::string& message) : Error(ErrorKind::invalid_input, message) {}
};

struct TrainingCallbacks {
  std::function<void(const StepMetrics&)> on_step;
  std::function<void(const SavedCheckpoint& checkpoint)> on_checkpoint;
  const std::atomic<bool>* cancel = nullptr;  // checked before every micro-batch (data parallel: every step)
};

class Trainer {
 public:
  // `checkpoint_dir` receives the checkpoints (training_checkpoint.h); empty: no checkpoints (as
  // on every rank but 0). `group`: this process is one rank of a data-parallel world.
  Trainer(std::shared_ptr<CausalLM> model, const Tokenizer& tokenizer, TrainingOptions options,
          std::vector<TokenizedExample> training, std::vector<TokenizedExample> validation,
          std::filesystem::path checkpoint_dir, std::shared_ptr<DistributedGroup> group = nullptr);

  // Continues from a checkpoint written by this trainer for the same data and options, at the end
  // of an epoch or inside one: weights, optimizer state, schedule position and counters; the run
  // then trains the examples that remain, in the same order. Throws ft::Error(invalid_input)
  // when the checkpoint belongs to other data.
  void resume_from(const std::filesystem::path& checkpoint);

  // Data parallel, before run(): every rank takes rank 0's trainable weights, optimizer state and
  // position (rank 0 having resumed from its checkpoint, if any). Throws ft::Error(invalid_input)
  // on a rank whose data, batch size or seed differ from rank 0's.
  void synchronize_ranks();

  // Trains until the last epoch, until stopped early (keep_best_epoch) or until cancelled. A loss
  // that is not finite throws ft::Error(invalid_input) naming the step; checkpoints written
  // before stay usable.
  TrainingOutcome run(const TrainingCallbacks& callbacks);

  // Loss and accuracy on `examples`, prompt tokens weighted as training weighs them unless
  // `prompt_loss_weight` says otherwise (0: the completion loss alone).
  Evaluation evaluate(const std::vector<TokenizedExample>& examples, std::optional<double> prompt_loss_weight = std::nullopt);

  int64_t steps_per_epoch() const;
  int64_t total_steps() const { return steps_per_epoch() * options_.n_epochs; }
  int64_t completed_steps() const { return position_.step; }
  const TrainingPosition& position() const { return position_; }
  CausalLM& model() { return *model_; }

 private:
  // This rank's contiguous share of a step's examples (all of them without a group).
  std::vector<const TokenizedExample*> rank_share(const std::vector<const TokenizedExample*>& examples) const;
  // Sums `values` over the ranks (nothing without a group).
  void sum_over_ranks(std::vector<double>& values);
  // The gradients of every rank summed, each rank's undefined ones taken as zero where another
  // rank has one.
  void sum_gradients_over_ranks();
  // One optimizer step over `examples`; false when cancelled before it completed.
  bool train_step(const std::vector<const TokenizedExample*>& examples, StepMetrics& metrics,
                  const std::atomic<bool>* cancel);
  // Examples in groups of micro_batch_size, each packed into rows, prompt targets weighing
  // `prompt_loss_weight`.
  std::vector<PackedBatch> pack_micro_batches(const std::vector<const TokenizedExample*>& examples,
                                              double prompt_loss_weight) const;
  // At the end of an epoch with keep_best_epoch: whether the validation completion loss improved.
  void compare_with_best_epoch(int64_t epoch, double completion_loss);
  bool stops_early() const;
  // After each step: a checkpoint at the end of the epoch, or at the interval inside it.
  void save_checkpoint_if_due(bool epoch_end, const TrainingCallbacks& callbacks);
  uint64_t data_fingerprint() const;

  std::shared_ptr<CausalLM> model_;
  const Tokenizer& tokenizer_;
  TrainingOptions options_;
  std::vector<TokenizedExample> training_, validation_;
  std::optional<TrainingCheckpoints> checkpoints_;
  AdamW optimizer_;
  TrainingPosition position_;
  std::shared_ptr<DistributedGroup> group_;
};

}  // namespace ft
