#include "engine/planning/learning_rate_probe.h"

#include "engine/core/error.h"
#include "engine/planning/hyperparameter_policy.h"
#include "tests/catch.h"

#include <cmath>
#include <limits>
#include <string>

namespace {

using nlohmann::json;

// A run of `examples` examples of 40 tokens, 3 epochs, batch 1, at 1 ms a token and 2 ms an
// optimizer step: 0.12 s an example, so 500 examples are a 60 s run.
ft::LearningRateProbeInputs small_run(int64_t examples) {
  ft::LearningRateProbeInputs in;
  in.training_examples = examples;
  in.mean_training_tokens = 40;
  in.n_epochs = 3;
  in.batch_size = 1;
  in.seconds_per_token = 0.001;
  in.seconds_per_optimizer_step = 0.002;
  in.run_seconds = double(examples) * (40 * 3 * 0.001 + 3 * 0.002);
  in.snapshot_bytes = 1 << 20;
  in.memory_bytes = 100 << 20;
  in.memory_budget_bytes = int64_t(1) << 32;
  return in;
}

std::string value_of(const ft::PlannedLearningRateProbe& p, const std::string& name) {
  for (const auto& e : p.entries) {
    if (e.name == name) return e.value.dump();
  }
  FAIL("no entry " << name);
  return "";
}

const ft::ResolvedHyperparameter& entry_of(const ft::PlannedLearningRateProbe& p, const std::string& name) {
  for (const auto& e : p.entries) {
    if (e.name == name) return e;
  }
  throw ft::Error(ft::ErrorKind::not_found, name);
}

ft::HyperparameterPlan with_entries(const ft::PlannedLearningRateProbe& probe, double rate, double multiplier) {
  ft::HyperparameterPlan plan;
  plan.add({"learning_rate_multiplier", multiplier, ft::HyperparameterSource::automatic, "the rule"});
  plan.add({"learning_rate", rate, ft::HyperparameterSource::automatic, "the rule's rate"});
  plan.add({"n_epochs", 3, ft::HyperparameterSource::automatic, "3 by the rule"});
  plan.add({"steps_per_epoch", 30, ft::HyperparameterSource::automatic, "30"});
  plan.add({"total_steps", 90, ft::HyperparameterSource::automatic, "90"});
  plan.add({"warmup_steps", 3, ft::HyperparameterSource::automatic, "3"});
  plan.add({"total_tokens", 3600, ft::HyperparameterSource::automatic, "3600"});
  plan.add(ft::linear_lr_schedule(rate, 3, 90));
  for (const auto& e : probe.entries) plan.add(e);
  return plan;
}

}  // namespace

TEST_CASE("A short run probes its whole training set, scored on the validation file", "[policy][probe]") {
  auto in = small_run(30);
  in.validation_examples = 250;
  in.mean_validation_tokens = 40;
  const auto probe = ft::plan_learning_rate_probe(in);
  CHECK(value_of(probe, "learning_rate_probe") == "\"planned\"");
  CHECK(value_of(probe, "learning_rate_probe_trials") == "6");
  CHECK(value_of(probe, "learning_rate_probe_examples") == "30");
  // At most 100 held-out examples are scored, the validation file's first.
  CHECK(value_of(probe, "learning_rate_probe_held_out") == "100");
  CHECK(entry_of(probe, "learning_rate_probe_held_out").reason.find("the first 100 of the validation file's 250") != std::string::npos);
  // Six trials of 30 examples x 3 epochs, each scored on 100 x 40 tokens of forward passes, and,
  // since they train on the whole training set, two over 6 epochs.
  const double scoring = 100 * 40 * 0.001 / 3, training = 30 * (40 * 3 * 0.001) + 90 * 0.002;
  CHECK(probe.seconds == Approx(6 * (training + scoring) + 2 * (2 * training + scoring)));
  CHECK(value_of(probe, "learning_rate_probe_epochs") == "6");
  const auto settings = ft::planned_learning_rate_probe(with_entries(probe, 1e-4, 0.05));
  REQUIRE(settings);
  CHECK(settings->trials == 6);
  CHECK(settings->trial_examples == 30);
  CHECK(settings->held_out == 100);
  CHECK(settings->longer_epochs == 6);
  // The user's n_epochs stands: the rate alone is measured.
  in.epochs_set_by_user = true;
  const auto rate_only = ft::plan_learning_rate_probe(in);
  CHECK_FALSE(ft::planned_learning_rate_probe(with_entries(rate_only, 1e-4, 0.05))->longer_epochs);
  CHECK(rate_only.seconds == Approx(6 * (training + scoring)));
  // A run that keeps its best epoch chooses its epochs itself: the rate alone is measured, each
  // trial scored after every one of its epochs.
  in.epochs_set_by_user = false;
  in.epochs_selected_by_validation = true;
  const auto selected = ft::plan_learning_rate_probe(in);
  CHECK_FALSE(ft::planned_learning_rate_probe(with_entries(selected, 1e-4, 0.05))->longer_epochs);
  CHECK(selected.seconds == Approx(6 * (training + 3 * scoring)));
  CHECK(entry_of(selected, "learning_rate_probe_held_out").reason.find("scored after every epoch of a trial") != std::string::npos);
}

TEST_CASE("Without a validation file a fifth of the training set is held out", "[policy][probe]") {
  const auto probe = ft::plan_learning_rate_probe(small_run(30));
  CHECK(value_of(probe, "learning_rate_probe_held_out") == "6");
  CHECK(value_of(probe, "learning_rate_probe_examples") == "24");
  // Too few to hold any out and still train on 8.
  const auto tiny = ft::plan_learning_rate_probe(small_run(9));
  CHECK(value_of(tiny, "learning_rate_probe") == "\"off\"");
  CHECK(entry_of(tiny, "learning_rate_probe").reason.find("too few") != std::string::npos);
  CHECK(tiny.seconds == 0);
}

TEST_CASE("A long run's trials fit in 10% of its time", "[policy][probe]") {
  // 100000 examples: a 12600 s run, so 1260 s for six trials, each scoring 100 held-out examples.
  auto in = small_run(100000);
  const auto probe = ft::plan_learning_rate_probe(in);
  REQUIRE(value_of(probe, "learning_rate_probe") == "\"planned\"");
  const int64_t examples = std::stoll(value_of(probe, "learning_rate_probe_examples"));
  const double scoring = 100 * 40 * 0.001 / 3;
  CHECK(examples == static_cast<int64_t>((1260.0 / 6 - scoring) / 0.126));
  CHECK(probe.seconds <= 0.1 * *in.run_seconds + 1e-9);
  // A slice of the training set says nothing of the run's epochs.
  CHECK_FALSE(ft::planned_learning_rate_probe(with_entries(probe, 1e-4, 0.05))->longer_epochs);
  CHECK(entry_of(probe, "learning_rate_probe_examples").reason.find("what fits its budget") != std::string::npos);
  // Between the two, a run of seconds may spend a minute.
  const auto short_run = ft::plan_learning_rate_probe(small_run(200));
  CHECK(short_run.seconds <= 60 + 1e-9);
  CHECK(short_run.seconds > 0.1 * *small_run(200).run_seconds);
}

TEST_CASE("The probe is off where it cannot pay or the user decided", "[policy][probe]") {
  auto user_rate = small_run(300);
  user_rate.learning_rate_set_by_user = true;
  CHECK(entry_of(ft::plan_learning_rate_probe(user_rate), "learning_rate_probe").reason.find("the user set learning_rate_multiplier") !=
        std::string::npos);
  auto scratch = small_run(300);
  scratch.from_scratch = true;
  CHECK(value_of(ft::plan_learning_rate_probe(scratch), "learning_rate_probe") == "\"off\"");
  auto untimed = small_run(300);
  untimed.seconds_per_token.reset();
  CHECK(value_of(ft::plan_learning_rate_probe(untimed), "learning_rate_probe") == "\"off\"");
  auto crowded = small_run(300);
  crowded.memory_bytes = crowded.memory_budget_bytes - crowded.snapshot_bytes / 2;
  CHECK(entry_of(ft::plan_learning_rate_probe(crowded), "learning_rate_probe").reason.find("copy of the trainable weights") !=
        std::string::npos);
  auto slow = small_run(300);
  slow.seconds_per_token = 1.0;  // a trial of 8 examples would take minutes
  slow.run_seconds = 300 * 40 * 3 * 1.0;
  slow.n_epochs = 1;
  CHECK(value_of(ft::plan_learning_rate_probe(slow), "learning_rate_probe") == "\"off\"");
  auto off = small_run(300);
  off.requested = "off";
  const auto refused = ft::plan_learning_rate_probe(off);
  CHECK(entry_of(refused, "learning_rate_probe").source == ft::HyperparameterSource::user);
  CHECK(value_of(refused, "learning_rate_probe") == "\"off\"");
  // "on" trains the whole set whatever the budget.
  slow.requested = "on";
  const auto forced = ft::plan_learning_rate_probe(slow);
  CHECK(value_of(forced, "learning_rate_probe") == "\"planned\"");
  CHECK(value_of(forced, "learning_rate_probe_examples") == "240");
}

TEST_CASE("The best trial's rate becomes the plan's, with every measurement in its reason", "[policy][probe]") {
  auto plan = with_entries(ft::plan_learning_rate_probe(small_run(30)), 1e-4, 0.05);
  const double inf = std::numeric_limits<double>::infinity();
  ft::record_learning_rate_probe(plan, {{1e-4, 3, 2.5}, {4e-4, 3, 1.25}, {2.5e-5, 3, 3.0}, {1.6e-3, 3, inf}, {8e-4, 3, 1.5},
                                       {2e-4, 3, 1.75}, {4e-4, 6, 1.5}, {2e-4, 6, 1.3}});
  CHECK(plan.number("learning_rate") == 4e-4);
  CHECK(plan.number("learning_rate_multiplier") == Approx(0.2));
  CHECK(plan.text("learning_rate_probe") == "done");
  CHECK(plan.at("lr_schedule").reason.find("rises from 0 to 0.0004 over the 3 warm-up steps") != std::string::npos);
  CHECK_FALSE(ft::planned_learning_rate_probe(plan));
  const auto& reason = plan.at("learning_rate").reason;
  for (const char* shown : {"0.0004", "2.5e-05: 3", "0.0016: diverged", "0.0008: 1.5", "0.0002 over 6 epochs: 1.3",
                            "2 2x steps from the rule's 0.0001"}) {
    CHECK(reason.find(shown) != std::string::npos);
  }
  // The run's epochs stay the rule's when a trial over them won.
  CHECK(plan.integer("n_epochs") == 3);
  CHECK(plan.integer("total_steps") == 90);

  // A longer trial wins: its epochs, and what follows from them.
  auto longer = with_entries(ft::plan_learning_rate_probe(small_run(30)), 1e-4, 0.05);
  ft::record_learning_rate_probe(longer, {{1e-4, 3, 2.5}, {4e-4, 3, 1.25}, {2e-4, 6, 1.1}});
  CHECK(longer.number("learning_rate") == 2e-4);
  CHECK(longer.integer("n_epochs") == 6);
  CHECK(longer.at("n_epochs").reason.find("measured on this job's data: 6") == 0);
  CHECK(longer.at("n_epochs").reason.find("the rule gave 3 (3 by the rule)") != std::string::npos);
  CHECK(longer.integer("total_steps") == 180);
  CHECK(longer.integer("warmup_steps") == 6);  // 3% of 180, rounded up
  CHECK(longer.integer("total_tokens") == 7200);
  CHECK(longer.at("lr_schedule").reason.find("rises from 0 to 0.0002 over the 6 warm-up steps, then falls linearly to 0 at step 180") !=
        std::string::npos);
  // Recorded once: a second outcome has nothing planned to record into.
  auto skipped = with_entries(ft::plan_learning_rate_probe(small_run(30)), 1e-4, 0.05);
  CHECK(ft::skip_learning_rate_probe(skipped, "a test"));
  CHECK(skipped.text("learning_rate_probe") == "off");
  CHECK_FALSE(ft::skip_learning_rate_probe(skipped, "a test"));
}

TEST_CASE("The plan adds the probe's trials to its time and its copy to its memory, not to its checkpoint interval", "[policy][probe]") {
  ft::DatasetStatistics data;
  data.examples = 30;
  data.total_tokens = 1200;
  data.min_tokens = data.max_tokens = data.median_tokens = data.p95_tokens = 40;
  data.mean_tokens = 40;
  ft::ModelSummary model;
  model.parameter_count = 2'000'000;
  model.context_length = 512;
  model.hidden_size = 128;
  model.num_layers = 4;
  model.num_heads = 4;
  model.intermediate_size = 512;
  model.vocab_size = 1000;
  model.pretrained = true;
  ft::DeviceProbes probes;
  probes.measured_seconds_per_micro_batch = [](int64_t micro, int64_t seq, int) { return 0.001 * double(micro * seq); };
  const ft::MachineSummary machine{false, uint64_t(1) << 34, 1};
  const auto plan = ft::plan_hyperparameters(json::object(), 1, data, model, machine, probes);
  REQUIRE(plan.text("learning_rate_probe") == "planned");
  const double run = 0.001 * double(plan.integer("total_tokens"));
  CHECK(plan.number("estimated_seconds") > run * 2);
  CHECK(plan.at("estimated_seconds").reason.find("learning-rate probe") != std::string::npos);
  const auto without = ft::plan_hyperparameters({{"learning_rate_probe", "off"}}, 1, data, model, machine, probes);
  CHECK(without.number("estimated_seconds") == Approx(run).epsilon(0.01));
  CHECK(without.integer("checkpoint_interval_steps") == plan.integer("checkpoint_interval_steps"));
  // During the trials a copy of the trainable weights is held beside the run's state.
  CHECK(plan.integer("estimated_memory_bytes") == without.integer("estimated_memory_bytes") + 4 * 2'000'000);
  CHECK_THROWS_WITH(ft::plan_hyperparameters({{"learning_rate_probe", "yes"}}, 1, data, model, machine, probes),
                    Catch::Contains("hyperparameters.learning_rate_probe must be \"auto\", \"on\" or \"off\""));
}
