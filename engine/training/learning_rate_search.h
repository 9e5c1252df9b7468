// Runs a planned learning-rate probe (engine/planning/learning_rate_probe.h): short trial runs
// of the job's own training at rates 2x apart, each from the same starting weights and scored by
// the completion loss of held-out examples.
#pragma once

#include "engine/data/example_template.h"
#include "engine/models/causal_lm.h"
#include "engine/planning/learning_rate_probe.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/trainer.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ft {

struct LearningRateSearchData {
  std::vector<TokenizedExample> training;  // what each trial trains on
  std::vector<TokenizedExample> held_out;  // what each trial is scored on
};

// The probe's examples: held out, the first settings.held_out of `validation` when it has any,
// else settings.held_out of `training` spread evenly over the file (a file sorted by class or
// length still gives a representative share); the trials then train on settings.trial_examples of
// the rest, spread evenly likewise.
LearningRateSearchData learning_rate_search_data(const std::vector<TokenizedExample>& training,
                                                 const std::vector<TokenizedExample>& validation,
                                                 const LearningRateProbeSettings& settings);

struct LearningRateSearch {
  TrainingOptions run;          // the run's options; learning_rate is the rule's, where the trials start
  int64_t run_total_steps = 1;  // the run's, so that a trial warms up for the same share of its steps
  int64_t trials = 6;           // at most, at the run's epochs
  int64_t longer_epochs = 0;    // above run.n_epochs: two more trials over this many epochs
};

// The trials, in the order run: at the run's epochs, the rule's rate, 4x above and below, two
// more 4x steps towards the better end while the best lies at an end, then the 2x neighbours of
// the best (first on the side whose 4x neighbour scored better), until `search.trials` have run;
// then, with longer_epochs, the best rate and half of it over longer_epochs. A trial whose loss
// diverges scores infinity. The model's trainable weights are restored after every trial (and
// when one throws), so the run starts from the same weights. nullopt when `cancel` was set.
std::optional<std::vector<LearningRateTrial>> search_learning_rate(
    const std::shared_ptr<CausalLM>& model, const Tokenizer& tokenizer, const LearningRateSearch& search,
    const LearningRateSearchData& data, const std::atomic<bool>* cancel,
    const std::function<void(const LearningRateTrial&)>& on_trial = {});

}  // namespace ft
