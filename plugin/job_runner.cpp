#include "plugin/job_runner.h"

#include "engine/core/file_io.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/formats/peft_adapter.h"
#include "engine/models/lora.h"
#include "engine/training_setup.h"
#include "plugin/recorded_plan.h"

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

void train(Job& job, const torch::Device& device) {
  HyperparameterPlan plan;
  auto setup = prepare_for_run(job, device, plan);
  if (job.cancel_requested()) return job.end_cancelled();
  std::vector<TokenizedExample> validation;
  if (setup.validation) validation = std::move(setup.validation->examples);
  Trainer trainer(setup.model, *setup.tokenizer, training_options(plan), std::move(setup.training.examples),
                  std::move(validation), job.paths().checkpoints);
  const auto checkpoint = TrainingCheckpoints::latest(job.paths().checkpoints);
  if (checkpoint) trainer.resume_from(*checkpoint);
  job.training_begins(checkpoint, trainer.completed_steps());

  TrainingCallbacks callbacks;
  callbacks.on_step = [&job](const StepMetrics& metrics) { job.record_step(metrics); };
  callbacks.on_checkpoint = [&job](const SavedCheckpoint& saved) { job.record_checkpoint(saved); };
  callbacks.cancel = job.cancel_flag();
  if (trainer.run(callbacks) == TrainingOutcome::cancelled || job.cancel_requested()) return job.end_cancelled();
  if (has_lora(*setup.model)) {
    write_folder_atomically(job.paths().adapter, [&](const fs::path& partial) {
      write_peft_adapter(partial, *setup.model, job.request().model);
    });
    if (!job.request().merge) return job.succeed(job.paths().adapter);
    merge_lora(*setup.model);
  }
  write_folder_atomically(job.paths().model,
                          [&](const fs::path& partial) { write_checkpoint(partial, *setup.model, *setup.tokenizer); });
  job.succeed(job.paths().model);
}

}  // namespace

bool validate_job(Job& job, const torch::Device& device) {
  try {
    if (job.cancel_requested()) return false;
    const auto setup = prepare_training(job.request(), device);
    return job.mark_validated(describe_plan(setup, device));
  } catch (...) {
    job.fail(FT_JOB_VALIDATING_FILES, failure_of_current_exception());
    return false;
  }
}

void run_job(Job& job, const torch::Device& device) {
  try {
    train(job, device);
  } catch (...) {
    job.fail(FT_JOB_RUNNING, failure_of_current_exception());
  }
}

}  // namespace ft::plugin
