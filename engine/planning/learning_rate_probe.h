// The learning rate measured on the user's own data (the plan's learning_rate_probe): before the
// run, a few short trial runs at rates 2x apart around the rule's rate, each scored by the
// completion loss on held-out examples, and the run takes the best rate.
//
// Why: no rule of model size and batch puts the rate near the best one for every task. On the
// benchmark (docs/hyperparameters.md, "How good is auto"), the best rate of six tasks of the same
// size and batch spread over five 2x steps, and a rate too low by two or three steps left the
// held-out loss several times the best. The probe plans here (what it trains and what it costs);
// engine/training/learning_rate_search.h runs it at the start of the job, never inside ft_plan,
// which must stay quick.
#pragma once

#include "engine/planning/hyperparameter_plan.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

// What decides whether the probe runs and how large its trials are.
struct LearningRateProbeInputs {
  std::optional<std::string> requested;  // the user's "on" or "off"; nullopt: "auto"
  bool learning_rate_set_by_user = false;  // the user's learning_rate_multiplier
  bool epochs_set_by_user = false;         // the user's n_epochs: the probe measures the rate alone
  // epoch_selection "best_validation": the run chooses its epoch, so the probe measures the rate
  // alone, and each trial is scored after every epoch and counts its best, as the run will.
  bool epochs_selected_by_validation = false;
  bool from_scratch = false;
  int64_t training_examples = 0;
  double mean_training_tokens = 0;
  std::optional<int64_t> validation_examples;  // when the request has a validation file
  double mean_validation_tokens = 0;
  int64_t n_epochs = 1, batch_size = 1;
  std::optional<double> seconds_per_token;  // of a training pass, when a micro-batch was timed
  double seconds_per_optimizer_step = 0;
  std::optional<double> run_seconds;        // the run's own estimate
  int64_t snapshot_bytes = 0;               // a copy of the trainable weights, restored before each trial
  int64_t memory_bytes = 0, memory_budget_bytes = 0;  // the run's estimate and what it may use
};

// The entries learning_rate_probe ("off" or "planned") and, when planned,
// learning_rate_probe_trials, learning_rate_probe_examples and learning_rate_probe_held_out, and
// learning_rate_probe_epochs when longer trials also measure the epochs; with the seconds the
// probe adds to the run (0 when off).
struct PlannedLearningRateProbe {
  std::vector<ResolvedHyperparameter> entries;
  double seconds = 0;
};
PlannedLearningRateProbe plan_learning_rate_probe(const LearningRateProbeInputs& inputs);

// Trials over longer_epochs, when the probe measures the epochs too: at the best rate, then at
// half of it (more epochs usually want a lower rate).
constexpr int64_t kLongerEpochTrials = 2;

// What a planned probe trains, read back from a plan; nullopt when the plan's probe is "off" or
// already "done" (or the plan predates the probe).
struct LearningRateProbeSettings {
  int64_t trials = 0;          // at most this many trial runs
  int64_t trial_examples = 0;  // training examples each trial trains on, n_epochs times
  // Examples each trial is scored on: the first of the validation file's when the job has any,
  // else set aside from the training file (and not trained on by the trials).
  int64_t held_out = 0;
  // More than the run's n_epochs: two more trials train this many epochs (0: none).
  int64_t longer_epochs = 0;
};
std::optional<LearningRateProbeSettings> planned_learning_rate_probe(const HyperparameterPlan& plan);

// Turns a planned probe "off" with `why` (a run that cannot probe); false when none was planned.
bool skip_learning_rate_probe(HyperparameterPlan& plan, const std::string& why);

struct LearningRateTrial {
  double learning_rate = 0;
  int64_t n_epochs = 0;      // the run's, or the longer trials'
  double held_out_loss = 0;  // mean completion NLL per token; infinite when the trial diverged
  // The epoch scored: the last, or, when the run keeps its best epoch, the trial's best.
  int64_t scored_epoch = 0;
};

// The trials' outcome into the plan: learning_rate the best trial's rate (learning_rate_multiplier
// in proportion), n_epochs the best trial's (with what follows from it, when a longer trial won),
// learning_rate_probe "done", each reason with the measurements.
void record_learning_rate_probe(HyperparameterPlan& plan, const std::vector<LearningRateTrial>& trials);

}  // namespace ft
