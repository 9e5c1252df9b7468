// How often a run writes a checkpoint inside an epoch (the plan's checkpoint_interval_steps):
// often enough that a crash loses about ten minutes of training, rarely enough that writing
// checkpoints costs at most 5% of the run, and never less often than every epoch.
#pragma once

#include "engine/planning/hyperparameter_plan.h"

#include <cstdint>
#include <optional>

namespace ft {

struct CheckpointIntervalInputs {
  std::optional<int64_t> requested;           // the user's value; nullopt: "auto"
  int64_t steps_per_epoch = 1;
  int64_t total_steps = 1;
  std::optional<double> estimated_seconds;    // the run's estimated training time, when timed
  int64_t checkpoint_bytes = 0;               // what one checkpoint writes
  std::string checkpoint_contents;            // how checkpoint_bytes was counted, for the reason
};

// The plan entry "checkpoint_interval_steps": a checkpoint every that many optimizer steps, and
// at the end of every epoch besides.
ResolvedHyperparameter checkpoint_interval_steps(const CheckpointIntervalInputs& inputs);

}  // namespace ft
