#include "engine/planning/checkpoint_interval.h"

#include "tests/catch.h"

namespace {

// A run of `total_steps` steps of `seconds_per_step` each, saving `bytes` per checkpoint.
ft::CheckpointIntervalInputs run_of(int64_t steps_per_epoch, int64_t total_steps, double seconds_per_step, int64_t bytes) {
  ft::CheckpointIntervalInputs in;
  in.steps_per_epoch = steps_per_epoch;
  in.total_steps = total_steps;
  in.estimated_seconds = seconds_per_step * double(total_steps);
  in.checkpoint_bytes = bytes;
  in.checkpoint_contents = "test";
  return in;
}

}  // namespace

TEST_CASE("checkpoints come about every 10 minutes of training", "[policy][checkpoint]") {
  // 1 s a step, a 12 MB checkpoint (0.12 s at 100 MB/s): 600 steps are ten minutes.
  const auto entry = ft::checkpoint_interval_steps(run_of(10000, 10000, 1.0, 12'000'000));
  CHECK(entry.value == 600);
  CHECK(entry.source == ft::HyperparameterSource::automatic);
  CHECK_THAT(entry.reason, Catch::Matchers::StartsWith("600: a step takes about 1 s"));
  CHECK_THAT(entry.reason, Catch::Matchers::Contains("and one at the end of every epoch (10000 steps)"));
}

TEST_CASE("checkpoints never cost more than 5% of the run", "[policy][checkpoint]") {
  // 1.1B parameters: 13.2 GB a checkpoint, 132 s; at 1 s a step that is one every 2640 steps.
  const auto entry = ft::checkpoint_interval_steps(run_of(100000, 100000, 1.0, 13'200'000'000));
  CHECK(entry.value == 2640);
  const double share = 132.0 / (entry.value.get<double>() * 1.0);
  CHECK(share <= 0.05);
  CHECK_THAT(entry.reason, Catch::Matchers::Contains("one every 2640 steps or more"));
}

TEST_CASE("a checkpoint is written at least every epoch", "[policy][checkpoint]") {
  const auto entry = ft::checkpoint_interval_steps(run_of(120, 360, 1.0, 1000));
  CHECK(entry.value == 120);
  CHECK_THAT(entry.reason, Catch::Matchers::Contains("capped at the end of every epoch (120 steps)"));
  ft::CheckpointIntervalInputs untimed = run_of(50, 100, 1.0, 1000);
  untimed.estimated_seconds.reset();
  const auto epoch_only = ft::checkpoint_interval_steps(untimed);
  CHECK(epoch_only.value == 50);
  CHECK_THAT(epoch_only.reason, Catch::Matchers::Contains("not estimated"));
}
