#include "plugin/job_runner.h"

#include "engine/core/file_io.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/formats/peft_adapter.h"
#include "engine/models/lora.h"
#include "engine/planning/reason_numbers.h"
#include "engine/training/cpu_tensor_allocator.h"
#include "engine/training/learning_rate_search.h"
#include "engine/training_setup.h"
#include "plugin/api_error.h"
#include "plugin/recorded_plan.h"

#include <cmath>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

// The model, tokenizer and data for training. A job whose hyper-parameters were resolved
// (validated, or resumed) trains with exactly those: the plan is not resolved again, since the
// machine's free memory or a timing probe may differ now, and a checkpoint only resumes with the
// same batch size and seed. A resumed job that never got that far resolves them now.
TrainingSetup prepare_for_run(Job& job, const torch::Device& device, HyperparameterPlan& plan) {
  const auto request = job.request();
  if (const auto recorded = job.resolved_hyperparameters()) {
    plan = plan_from_json(*recorded);
    return prepare_training(with_recorded_values(request, *recorded), device);
  }
  auto setup = prepare_training(request, device);
  job.record_plan(describe_plan(setup, device));
  plan = setup.plan;
  return setup;
}

// A planned learning-rate probe, before the first step; its outcome is recorded with the plan, so
// that a resumed job trains at the measured rate without probing again. False when cancelled.
bool probe_learning_rate(Job& job, TrainingSetup& setup, HyperparameterPlan& plan) {
  const auto settings = planned_learning_rate_probe(plan);
  if (!settings) return true;
  const std::vector<TokenizedExample> no_validation;
  const auto data = learning_rate_search_data(setup.training.examples,
                                              setup.validation ? setup.validation->examples : no_validation, *settings);
  const LearningRateSearch search{training_options(plan), plan.integer("total_steps"), settings->trials,
                                  settings->longer_epochs};
  const int64_t longer_trials = search.longer_epochs > 0 ? kLongerEpochTrials : 0;
  job.report("Learning-rate probe: up to " + std::to_string(search.trials + longer_trials) + " trial runs of " +
             std::to_string(data.training.size()) + " examples, each scored on " + std::to_string(data.held_out.size()) +
             " held-out examples");
  int64_t number = 0;
  const auto on_trial = [&](const LearningRateTrial& t) {
    job.report("Learning-rate probe, trial " + std::to_string(++number) + ": rate " + reason::num(t.learning_rate) +
                   " over " + std::to_string(t.n_epochs) + " epochs, held-out completion loss " +
                   reason::num(t.held_out_loss, 4) +
                   (t.scored_epoch != t.n_epochs ? " after epoch " + std::to_string(t.scored_epoch) : std::string()),
               "learning_rate_trial",
               {{"trial", number},
                {"learning_rate", t.learning_rate},
                {"n_epochs", t.n_epochs},
                {"scored_epoch", t.scored_epoch},
                {"held_out_loss", std::isfinite(t.held_out_loss) ? nlohmann::json(t.held_out_loss) : nlohmann::json()}});
  };
  const auto trials = search_learning_rate(setup.model, *setup.tokenizer, search, data, job.cancel_flag(), on_trial);
  if (!trials) return false;
  record_learning_rate_probe(plan, *trials);
  job.record_plan({{"hyperparameters", to_json(plan)}});
  return true;
}

// Rank 0's outcome of validating a job, on every rank: {"plan": describe_plan's document},
// {"cancelled": true} or {"error": {"status", "message", "param"}}.
nlohmann::json rank0_validation(Job& job, const torch::Device& device, DistributedGroup& group) {
  const std::string round = job.id() + "/validation";
  if (group.rank() > 0) return nlohmann::json::parse(group.exchange_texts(round, "").front());
  nlohmann::json outcome;
  std::exception_ptr error;
  try {
    outcome = job.cancel_requested() ? nlohmann::json{{"cancelled", true}}
                                     : nlohmann::json{{"plan", describe_plan(prepare_training(job.request(), device), device)}};
  } catch (...) {
    error = std::current_exception();
    const auto failure = failure_of_current_exception();
    outcome = {{"error", {{"status", failure.status}, {"message", failure.message}, {"param", failure.param}}}};
  }
  group.exchange_texts(round, outcome.dump());
  if (error) std::rethrow_exception(error);
  return outcome;
}

bool validate_in_world(Job& job, const torch::Device& device, DistributedGroup& group) {
  const auto outcome = rank0_validation(job, device, group);
  if (outcome.contains("error")) {
    const auto& e = outcome["error"];
    throw ApiError(static_cast<ft_status>(e.at("status").get<int>()),
                   "rank 0 of " + std::to_string(group.size()) + " could not validate the job: " +
                       e.at("message").get<std::string>());
  }
  if (outcome.contains("cancelled")) {
    job.cancel_for_close();
    return false;
  }
  const auto& plan = outcome.at("plan");
  // This rank's own copy of the model and data must be there and read as rank 0's did.
  if (group.rank() > 0) (void)prepare_training(with_recorded_values(job.request(), plan.at("hyperparameters")), device);
  if (job.mark_validated(plan)) return true;
  withdraw_from_world(job, &group);
  return false;
}

// Where the trained model (or a LoRA run's adapters) was written: rank 0 writes it and tells
// the other ranks.
fs::path write_trained_model(Job& job, TrainingSetup& setup, DistributedGroup* group) {
  fs::path written;
  if (!group || group->rank() == 0) {
    if (has_lora(*setup.model)) {
      write_folder_atomically(job.paths().adapter, [&](const fs::path& partial) {
        write_peft_adapter(partial, *setup.model, job.request().model);
      });
      written = job.paths().adapter;
    }
    if (written.empty() || job.request().merge) {
      if (has_lora(*setup.model)) merge_lora(*setup.model);
      write_folder_atomically(job.paths().model,
                              [&](const fs::path& partial) { write_checkpoint(partial, *setup.model, *setup.tokenizer); });
      written = job.paths().model;
    }
  }
  if (group) written = group->exchange_texts(job.id() + "/model", written.string()).front();
  return written;
}

// A run that keeps its best epoch (epoch_selection "best_validation") delivers the weights of the
// epoch whose validation completion loss was the lowest: loaded from that epoch's checkpoint when a
// later epoch trained after it. Rank 0 writes the model, so only rank 0 loads them.
void select_epoch(Job& job, Trainer& trainer, const TrainingOptions& options, const DistributedGroup* group) {
  const auto& position = trainer.position();
  if (!options.keep_best_epoch || position.best_epoch == 0 || (group && group->rank() > 0)) return;
  const int64_t best = position.best_epoch, trained = position.completed_epochs;
  std::string message = "Epoch " + std::to_string(best) + " of the " + std::to_string(trained) +
                        " trained has the lowest validation completion loss, " + reason::num(position.best_valid_loss, 4);
  if (trained < options.n_epochs) {
    message += "; training stopped after " + std::to_string(trained - best) + " epochs without improving on it, at epoch " +
               std::to_string(trained) + " of the planned " + std::to_string(options.n_epochs);
  }
  if (best != trained) {
    const auto checkpoint = TrainingCheckpoints::of_epoch(job.paths().checkpoints, best);
    if (!checkpoint) {
      job.warn("Epoch " + std::to_string(best) + "'s checkpoint is missing from " + job.paths().checkpoints.string() +
               ", so the last epoch's weights are delivered instead of the best's");
      return;
    }
    TrainingCheckpoints::load_model_weights(*checkpoint, trainer.model());
  }
  job.report(message + "; its weights are delivered", "epoch_selected",
             {{"epoch", best}, {"valid_completion_loss", position.best_valid_loss}, {"epochs_trained", trained}});
}

void train(Job& job, const torch::Device& device, const std::shared_ptr<DistributedGroup>& group) {
  HyperparameterPlan plan;
  auto setup = prepare_for_run(job, device, plan);
  // Ranks agree on cancelling at every step; alone, a cancelled job stops here.
  if (!group && job.cancel_requested()) return job.end_cancelled();
  if (group) {
    if (skip_learning_rate_probe(plan, "a data-parallel run does not probe; its ranks would all have to run the trials")) {
      job.record_plan({{"hyperparameters", to_json(plan)}});
    }
  } else if (!probe_learning_rate(job, setup, plan)) {
    return job.end_cancelled();
  }
  std::vector<TokenizedExample> validation;
  if (setup.validation) validation = std::move(setup.validation->examples);
  const bool writes = !group || group->rank() == 0;
  const auto options = training_options(plan);
  Trainer trainer(setup.model, *setup.tokenizer, options, std::move(setup.training.examples),
                  std::move(validation), writes ? job.paths().checkpoints : fs::path(),
                  group);
  const auto checkpoint = writes ? TrainingCheckpoints::latest(job.paths().checkpoints) : std::nullopt;
  if (checkpoint) trainer.resume_from(*checkpoint);
  trainer.synchronize_ranks();
  job.training_begins(checkpoint, trainer.completed_steps());

  TrainingCallbacks callbacks;
  callbacks.on_step = [&job](const StepMetrics& metrics) { job.record_step(metrics); };
  callbacks.on_checkpoint = [&job](const SavedCheckpoint& saved) { job.record_checkpoint(saved); };
  callbacks.cancel = job.cancel_flag();
  if (trainer.run(callbacks) == TrainingOutcome::cancelled) return job.end_cancelled();
  // Alone, a cancel that came after the last step still cancels; in a world the ranks finish together.
  if (!group && job.cancel_requested()) return job.end_cancelled();
  select_epoch(job, trainer, options, group.get());
  job.succeed(write_trained_model(job, setup, group.get()));
}

// In a world, this rank's failure breaks the group, so that the other ranks fail too, naming it.
void fail_in_world(Job& job, ft_job_status expected, DistributedGroup* group) {
  const auto failure = failure_of_current_exception();
  if (group) group->report_failure(failure.message);
  job.fail(expected, failure);
}

}  // namespace

bool validate_job(Job& job, const torch::Device& device, DistributedGroup* group) {
  const TensorMemoryRetention retention;  // the plan's timing probe runs training steps
  try {
    if (group) return validate_in_world(job, device, *group);
    if (job.cancel_requested()) return false;
    const auto setup = prepare_training(job.request(), device);
    return job.mark_validated(describe_plan(setup, device));
  } catch (...) {
    fail_in_world(job, FT_JOB_VALIDATING_FILES, group);
    return false;
  }
}

void run_job(Job& job, const torch::Device& device, const std::shared_ptr<DistributedGroup>& group) {
  const TensorMemoryRetention retention;
  try {
    train(job, device, group);
  } catch (...) {
    fail_in_world(job, FT_JOB_RUNNING, group.get());
  }
}

void withdraw_from_world(Job& job, DistributedGroup* group) {
  if (group) group->report_failure("its job " + job.id() + " was cancelled on this rank before it trained");
}

}  // namespace ft::plugin
