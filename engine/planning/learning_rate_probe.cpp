#include "engine/planning/learning_rate_probe.h"

#include "engine/core/error.h"
#include "engine/planning/hyperparameter_limits.h"
#include "engine/planning/hyperparameter_policy.h"
#include "engine/planning/reason_numbers.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace ft {
namespace {

using reason::num;

// Trials: the rule's rate, 4x above and below it, two more 4x steps towards the better end while
// the best lies at an end, and the 2x neighbours of the best: six cover a 512x range.
constexpr int64_t kTrials = 6;
// A probe is worth its time when it costs at most 10% of the run, or at most a minute: on the
// benchmark a rate two steps from the best cost 15% to 1300% in held-out loss, so a minute pays
// for itself on a run of seconds as a tenth does on a run of hours.
constexpr double kShareOfRun = 0.10;
constexpr double kAllowanceSeconds = 60;
// Held-out examples scored after each trial: enough for a loss to compare, few enough to be cheap.
constexpr int64_t kMostHeldOut = 100;
// Without a validation file a fifth of the training file is set aside, at least 2 examples; the
// trials need at least 8 to train on.
constexpr int64_t kFewestHeldOut = 2, kFewestTrialExamples = 8;
// A trial shorter than this is all warm-up and decay and tells little about the run's rate.
constexpr int64_t kFewestTrialSteps = 10;

ResolvedHyperparameter entry(const std::string& name, nlohmann::json value, bool user, std::string reason) {
  return {name, std::move(value), user ? HyperparameterSource::user : HyperparameterSource::automatic, std::move(reason)};
}

PlannedLearningRateProbe off(bool user, std::string reason) {
  return {{entry("learning_rate_probe", "off", user, std::move(reason))}, 0};
}

struct HeldOut {
  int64_t examples = 0;
  double mean_tokens = 0;
  bool from_validation = false;
  std::string reason;
};

HeldOut held_out_examples(const LearningRateProbeInputs& in) {
  if (in.validation_examples && *in.validation_examples > 0) {
    const int64_t n = std::min(*in.validation_examples, kMostHeldOut);
    return {n, in.mean_validation_tokens, true,
            n < *in.validation_examples ? "the first " + num(n) + " of the validation file's " + num(*in.validation_examples)
                                        : "the validation file's " + num(n)};
  }
  const int64_t n = std::clamp<int64_t>(std::llround(0.2 * double(in.training_examples)), kFewestHeldOut, kMostHeldOut);
  return {n, in.mean_training_tokens, false,
          num(n) + " of the training file's examples, set aside from the trials' training (there is no validation file)"};
}

// What one trial costs: its examples' training passes and optimizer steps over `epochs`, and its
// scorings of the held-out examples (forward passes only: about a third of a training pass each).
struct TrialCost {
  const LearningRateProbeInputs& in;
  double scoring;
  double seconds(int64_t examples, int64_t epochs) const {
    const int64_t steps = optimizer_steps(examples, in.batch_size, epochs);
    return double(examples * epochs) * in.mean_training_tokens * *in.seconds_per_token +
           double(steps) * in.seconds_per_optimizer_step + scoring;
  }
  // The most examples whose trials fit in `seconds`.
  int64_t examples_within(double seconds) const {
    const double per_example = double(in.n_epochs) * (in.mean_training_tokens * *in.seconds_per_token +
                                                      in.seconds_per_optimizer_step / double(in.batch_size));
    const double affordable = (seconds - scoring) / per_example;
    return affordable > 0 ? static_cast<int64_t>(affordable) : 0;
  }
};

// Why the probe cannot run, or nothing when it can.
std::optional<std::string> reason_not_to_probe(const LearningRateProbeInputs& in, const HeldOut& held_out, int64_t trainable) {
  if (in.requested == "off") return "set by the user to off: the rule's learning rate is used as it is";
  if (in.learning_rate_set_by_user) return "off: the user set learning_rate_multiplier";
  if (in.from_scratch) {
    return "off: a freshly initialised model trains at GPT-3's pre-training rate for its size, which is what a trial "
           "run of a fraction of its data could not improve on";
  }
  if (!in.seconds_per_token) return "off: no micro-batch was timed, so the probe's cost is unknown";
  if (trainable < kFewestTrialExamples) {
    return "off: " + num(in.training_examples) + " training examples are too few to set " + num(held_out.examples) +
           " aside and train trials on at least " + num(kFewestTrialExamples);
  }
  if (in.memory_bytes + in.snapshot_bytes > in.memory_budget_bytes) {
    return "off: the probe keeps a copy of the trainable weights (" + num(in.snapshot_bytes) +
           " bytes) to restore before each trial, and the run's " + num(in.memory_bytes) + " bytes with it exceed the " +
           num(in.memory_budget_bytes) + " it may use";
  }
  return std::nullopt;
}

}  // namespace

PlannedLearningRateProbe plan_learning_rate_probe(const LearningRateProbeInputs& in) {
  const bool user = in.requested.has_value();
  const HeldOut held_out = held_out_examples(in);
  const int64_t trainable = in.training_examples - (held_out.from_validation ? 0 : held_out.examples);
  if (const auto why_not = reason_not_to_probe(in, held_out, trainable)) return off(user, *why_not);
  const int64_t scorings = in.epochs_selected_by_validation ? in.n_epochs : 1;
  const TrialCost cost{in, double(scorings * held_out.examples) * held_out.mean_tokens * *in.seconds_per_token / 3};
  const double run = in.run_seconds.value_or(0);
  const double budget = std::max(kShareOfRun * run, kAllowanceSeconds);
  const std::string budget_text =
      num(budget, 3) + " s, the larger of 10% of the run's " + num(run, 3) + " s and a minute";
  // "on" trains every example it may; "auto" as many as fit the budget.
  const int64_t examples = user ? trainable : std::min(trainable, cost.examples_within(budget / double(kTrials)));
  const int64_t steps = optimizer_steps(examples, in.batch_size, in.n_epochs);
  if (steps < kFewestTrialSteps || examples < std::min(trainable, kFewestTrialExamples)) {
    return off(user, "off: within its budget (" + budget_text + ") a trial could train " + num(examples) + " examples in " +
                         num(steps) + " steps, too few to tell the rates apart");
  }
  const double trial_seconds = cost.seconds(examples, in.n_epochs);
  double seconds = double(kTrials) * trial_seconds;
  // kLongerEpochTrials more trials train twice the rule's epochs (at most the most a request may
  // ask for), never when the user set n_epochs. They are worth their cost when the trials see
  // (nearly) the run's whole training set, so that the epochs they prefer hold for the run too,
  // and the budget, or the user, allows.
  const int64_t longer = std::min(kMostEpochs, 2 * in.n_epochs);
  const double longer_seconds = double(kLongerEpochTrials) * cost.seconds(examples, longer);
  const bool epochs_probed = !in.epochs_set_by_user && !in.epochs_selected_by_validation && longer > in.n_epochs &&
                             4 * examples >= 3 * in.training_examples && (user || seconds + longer_seconds <= budget);
  if (epochs_probed) seconds += longer_seconds;

  PlannedLearningRateProbe planned;
  planned.seconds = seconds;
  const std::string why = user ? "set by the user to on" : "planned: at most " + num(seconds, 3) + " s, within " + budget_text;
  planned.entries = {
      entry("learning_rate_probe", "planned", user,
            why + "; at the start of the job, trial runs at learning rates 2x apart around the rule's, each scored by the "
                  "completion loss of held-out examples, and the run takes the best rate (no rule of model size and "
                  "batch alone puts the rate near the best for every task: docs/hyperparameters.md)"),
      entry("learning_rate_probe_trials", kTrials, false,
            num(kTrials) + ": the rule's rate, 4x above and below, two more 4x steps towards the better end while the "
                           "best lies at an end, then the best's 2x neighbours, the more promising first"),
      entry("learning_rate_probe_examples", examples, false,
            (examples == trainable ? "all " + num(trainable) + " that the probe may train on"
                                   : num(examples) + " of " + num(trainable) + ", what fits its budget") +
                ", trained as the run trains them (batch " + num(in.batch_size) + ", " + num(in.n_epochs) + " epochs, " +
                num(steps) + " steps with the run's warm-up share and linear decay); about " + num(trial_seconds, 3) +
                " s a trial"),
      entry("learning_rate_probe_held_out", held_out.examples, false,
            held_out.reason + (in.epochs_selected_by_validation
                                   ? ", scored after every epoch of a trial, whose best epoch counts, as the run "
                                     "delivers its best epoch (epoch_selection)"
                                   : ", scored after each trial"))};
  if (epochs_probed) {
    planned.entries.push_back(entry(
        "learning_rate_probe_epochs", longer, false,
        num(longer) + ": the trials train on " + num(examples) + " of the " + num(in.training_examples) +
            " training examples, so the epochs they prefer hold for the run; " + num(kLongerEpochTrials) +
            " more trials, at the best rate and half of it, train " + num(longer) + " epochs instead of " + num(in.n_epochs) +
            ", and the run takes the epochs and rate of the best trial"));
  }
  return planned;
}

std::optional<LearningRateProbeSettings> planned_learning_rate_probe(const HyperparameterPlan& plan) {
  if (!plan.contains("learning_rate_probe") || plan.text("learning_rate_probe") != "planned") return std::nullopt;
  LearningRateProbeSettings s;
  s.trials = plan.integer("learning_rate_probe_trials");
  s.trial_examples = plan.integer("learning_rate_probe_examples");
  s.held_out = plan.integer("learning_rate_probe_held_out");
  if (plan.contains("learning_rate_probe_epochs")) s.longer_epochs = plan.integer("learning_rate_probe_epochs");
  return s;
}

bool skip_learning_rate_probe(HyperparameterPlan& plan, const std::string& why) {
  if (!planned_learning_rate_probe(plan)) return false;
  const auto& probe = plan.at("learning_rate_probe");
  plan.replace(entry("learning_rate_probe", "off", probe.source == HyperparameterSource::user,
                     "off: " + why + "; planned as " + probe.reason));
  return true;
}

void record_learning_rate_probe(HyperparameterPlan& plan, const std::vector<LearningRateTrial>& trials) {
  if (trials.empty()) throw Error(ErrorKind::internal, "a learning-rate probe recorded without trials");
  auto sorted = trials;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.n_epochs, a.learning_rate) < std::tie(b.n_epochs, b.learning_rate);
  });
  const auto best = *std::min_element(sorted.begin(), sorted.end(),
                                      [](const auto& a, const auto& b) { return a.held_out_loss < b.held_out_loss; });
  const int64_t rule_epochs = plan.integer("n_epochs");
  std::string measured;
  for (const auto& t : sorted) {
    measured += (measured.empty() ? "" : ", ") + num(t.learning_rate) +
                (t.n_epochs != rule_epochs ? " over " + num(t.n_epochs) + " epochs" : "") + ": " +
                (std::isfinite(t.held_out_loss) ? num(t.held_out_loss, 4) : std::string("diverged"));
  }
  const auto& rule = plan.at("learning_rate");
  const double rule_rate = rule.value.get<double>();
  const double multiplier = plan.number("learning_rate_multiplier") * best.learning_rate / rule_rate;
  const std::string steps = num(std::log2(best.learning_rate / rule_rate), 2);
  const std::string trials_text = num(int64_t(trials.size())) + " trial runs (rate: held-out loss per token) " + measured;
  plan.replace(entry("learning_rate", best.learning_rate, false,
                     "measured on this job's data: " + num(best.learning_rate) + ", the lowest held-out completion loss of " +
                         trials_text + "; " + steps + " 2x steps from the rule's " + num(rule_rate) + " (" + rule.reason + ")"));
  plan.replace(entry("learning_rate_multiplier", multiplier, false,
                     num(multiplier) + ", the measured learning_rate " + num(best.learning_rate) +
                         " over the same base rate as the rule's " + num(plan.at("learning_rate_multiplier").value.get<double>(), 3) +
                         " (" + plan.at("learning_rate_multiplier").reason + ")"));
  if (best.n_epochs != rule_epochs) {
    change_fine_tuning_epochs(plan, best.n_epochs,
                              "measured on this job's data: " + num(best.n_epochs) + ", the epochs of the best of " +
                                  trials_text + "; the rule gave " + num(rule_epochs) + " (" + plan.at("n_epochs").reason + ")");
  } else {
    plan.replace(linear_lr_schedule(best.learning_rate, plan.integer("warmup_steps"), plan.integer("total_steps")));
  }
  const auto& probe = plan.at("learning_rate_probe");
  plan.replace(entry("learning_rate_probe", "done", probe.source == HyperparameterSource::user,
                     "done: " + num(int64_t(trials.size())) + " trial runs at the start of the job; planned as " + probe.reason));
}

}  // namespace ft
