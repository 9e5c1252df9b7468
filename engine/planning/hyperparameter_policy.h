// Automatic hyper-parameters: from the user's values (or "auto"), the training set, the model and
// the machine to a plan that gives every hyper-parameter a value and the reason for it. The rules
// and their sources are in docs/hyperparameters.md.
#pragma once

#include "engine/data/dataset_statistics.h"
#include "engine/planning/hyperparameter_plan.h"
#include "engine/planning/hyperparameter_request.h"
#include "engine/planning/model_summary.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>

namespace ft {

struct MachineSummary {
  bool gpu = false;
  uint64_t available_memory_bytes = 0;  // free memory of the device that trains (GPU or RAM)
  int cores = 1;
  // Computes bf16 products natively (a CPU with AVX512-BF16 or AMX, a GPU): "precision" is then bf16.
  bool native_bf16 = false;
};

// Measurements on the device that will train; each may be left empty.
struct DeviceProbes {
  // Called once, as soon as the method, its LoRA adapters and the seed are resolved and before
  // the micro-batch and the time are probed: the caller readies the model in the form it will
  // train (weights loaded in their dtype, adapters attached), so that what is probed is what runs.
  std::function<void(const HyperparameterPlan& resolved_so_far)> ready_model;
  // Whether a forward and backward pass of `micro_batch` sequences of `seq_len` tokens fits in
  // the device's memory; the probe recovers from its own out-of-memory and answers false. Used on
  // the GPU only; on the CPU (or without it) the micro-batch comes from estimate_training_memory.
  // Before ready_model it is asked of the model as full fine-tuning would train it, to choose the
  // method.
  std::function<bool(int64_t micro_batch, int64_t seq_len)> fits_in_memory;
  // The wall time of one forward and backward pass of such a micro-batch with `threads` CPU
  // threads; without it the plan says the run's time is not estimated and keeps every vCPU.
  std::function<double(int64_t micro_batch, int64_t seq_len, int threads)> measured_seconds_per_micro_batch;
  // The wall time of one optimizer step (gradient clipping and AdamW over every trainable
  // parameter) with `threads` CPU threads, added to estimated_seconds once per step; without it
  // the estimate counts the passes alone.
  std::function<double(int threads)> measured_seconds_per_optimizer_step;
};

// A run that delivers its best epoch by validation loss (epoch_selection "best_validation") stops
// once this many epochs in a row have not improved on the best.
constexpr int64_t kEarlyStoppingEpochs = 2;

// Optimizer steps of `epochs` over `examples` at `batch_size`: every example is seen once per
// epoch, the last step of an epoch taking the examples left over.
int64_t optimizer_steps(int64_t examples, int64_t batch_size, int64_t epochs);

// The plan's lr_schedule entry: linear warm-up to `learning_rate`, then linear decay to 0 at
// `total_steps`; also rewritten when a learning-rate probe measured the rate.
ResolvedHyperparameter linear_lr_schedule(double learning_rate, int64_t warmup_steps, int64_t total_steps);

// Sets a fine-tuning plan's n_epochs to `epochs` with `reason` (measured by a learning-rate
// probe), and what follows from it: total_steps, warmup_steps, total_tokens and lr_schedule.
// estimated_seconds stays what the plan estimated before the run.
void change_fine_tuning_epochs(HyperparameterPlan& plan, int64_t epochs, const std::string& reason);

// Resolves precision ("bf16" or "fp32"), method ("full" or "lora"; with "lora" also lora_target_modules, lora_rank,
// lora_alpha and lora_dropout), epoch_selection ("best_validation" or "last"), n_epochs, batch_size,
// learning_rate_multiplier, learning_rate, prompt_loss_weight, max_seq_len, micro_batch_size,
// gradient_accumulation_steps, steps_per_epoch, total_steps, lr_schedule, warmup_steps, weight_decay, adam_beta1, adam_beta2, adam_epsilon, max_grad_norm,
// seed, total_tokens, estimated_memory_bytes, threads, learning_rate_probe (when "planned" also
// learning_rate_probe_trials, learning_rate_probe_examples and learning_rate_probe_held_out),
// estimated_seconds (the run's and the probe's) and checkpoint_interval_steps.
// `hyperparameters` and `seed` are the request's fields as parse_hyperparameter_request takes
// them. A model with `pretrained == false` is trained from scratch with pre-training rules.
// Deterministic except for the seed when it is "auto", and the probes.
// Throws ft::Error(invalid_argument) for an invalid user value (param "hyperparameters.<name>" or
// "seed") or a model that cannot train on this machine even one sequence at a time (param
// "model"), and ft::Error(invalid_input, param "training_file") for a training set with no tokens.
// `method` is the request's; "auto" chooses full fine-tuning where its memory estimate fits,
// else LoRA. `validation_set`: the validation file's statistics, when the request has one (the
// run may deliver its best epoch by it, and the probe scores its trials on it).
HyperparameterPlan plan_hyperparameters(const nlohmann::json& hyperparameters, const nlohmann::json& seed,
                                        const DatasetStatistics& training_set, const ModelSummary& model,
                                        const MachineSummary& machine, const DeviceProbes& probes = {},
                                        TrainingMethod method = TrainingMethod::automatic,
                                        const DatasetStatistics* validation_set = nullptr);

}  // namespace ft
