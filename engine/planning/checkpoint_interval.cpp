#include "engine/planning/checkpoint_interval.h"

#include "engine/planning/hyperparameter_limits.h"
#include "engine/planning/reason_numbers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ft {
namespace {

// A crash, a reboot or a cancel should cost about this much training, not an epoch of hours.
constexpr double target_seconds_between = 600;
// Writing checkpoints may take at most this share of the run's time, in percent.
constexpr double max_time_percent = 5;
// The policy's assumption for the disk's sustained write speed: a hard disk's, a quarter of a
// SATA SSD's, so that a fast disk only makes checkpoints cheaper than planned.
constexpr double disk_bytes_per_second = 100e6;

using reason::num;

ResolvedHyperparameter entry(int64_t value, HyperparameterSource source, std::string reason) {
  return {"checkpoint_interval_steps", value, source, std::move(reason)};
}

std::string epoch_ends(int64_t steps_per_epoch) {
  return "the end of every epoch (" + num(steps_per_epoch) + " steps)";
}

}  // namespace

ResolvedHyperparameter checkpoint_interval_steps(const CheckpointIntervalInputs& in) {
  const int64_t per_epoch = std::max<int64_t>(1, in.steps_per_epoch);
  if (in.requested) {
    const int64_t n = *in.requested;
    std::string reason = "set by the user to " + num(n) + " (allowed: 1 to " + num(kMostCheckpointIntervalSteps) +
                         "): a checkpoint every " + num(n) + " steps and at " + epoch_ends(per_epoch);
    return entry(n, HyperparameterSource::user, reason);
  }
  if (!in.estimated_seconds || in.total_steps < 1) {
    return entry(per_epoch, HyperparameterSource::automatic,
                 num(per_epoch) + ": checkpoints at " + epoch_ends(per_epoch) +
                     " only, since the run's time is not estimated");
  }
  const double per_step = std::max(*in.estimated_seconds / double(in.total_steps), 1e-9);
  const auto every_ten_minutes = static_cast<int64_t>(std::max(1.0, std::floor(target_seconds_between / per_step)));
  const double write_seconds = double(in.checkpoint_bytes) / disk_bytes_per_second;
  const double fewest_steps_between = std::ceil(write_seconds * 100 / (max_time_percent * per_step));
  const auto cheap_enough = static_cast<int64_t>(std::max(1.0, fewest_steps_between));
  const int64_t wanted = std::max(every_ten_minutes, cheap_enough);
  const int64_t interval = std::min(wanted, per_epoch);
  std::string reason = num(interval) + ": a step takes about " + num(per_step, 3) +
                       " s (estimated_seconds / total_steps), so " + num(every_ten_minutes) +
                       " steps are about 10 minutes; a checkpoint writes " + num(in.checkpoint_bytes) + " bytes (" +
                       in.checkpoint_contents + "), about " + num(write_seconds, 3) +
                       " s at an assumed 100 MB/s, which stays within 5% of the run at one every " +
                       num(cheap_enough) + " steps or more";
  reason += wanted >= per_epoch ? "; capped at " + epoch_ends(per_epoch) + ", where a checkpoint is always written"
                                : "; and one at " + epoch_ends(per_epoch);
  return entry(interval, HyperparameterSource::automatic, reason);
}

}  // namespace ft
