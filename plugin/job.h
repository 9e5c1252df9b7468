// One fine-tuning job: its record (job.json), its request, its resolved hyper-parameters, its
// event log and results table, its progress, and the transitions of its life:
//   validating_files -> queued -> running -> succeeded | failed | cancelled
// (failed or cancelled from the first three; ft_job_resume takes an interrupted, cancelled or
// io-failed job back to queued). Every transition is written to job.json and announced by an event, under one
// mutex, so a reader never sees a status without its event. Thread-safe.
#pragma once

#include "engine/training/trainer.h"
#include "engine/training_request.h"
#include "plugin/event_dispatcher.h"
#include "plugin/event_log.h"
#include "plugin/failure.h"
#include "plugin/job_record.h"
#include "plugin/workspace.h"

#include <finetune/finetune.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ft::plugin {

class Job : public std::enable_shared_from_this<Job> {
 public:
  // A new job in "validating_files": writes request.json, job.json and its first event.
  // `request` has absolute paths. `callbacks` (copied) may be empty.
  static std::shared_ptr<Job> create(JobPaths paths, JobRecord record, const TrainingRequest& request,
                                     std::optional<ft_callbacks> callbacks, EventDispatcher& dispatcher);
  // A job of an earlier process, from its folder; throws when job.json cannot be read.
  static std::shared_ptr<Job> load(JobPaths paths, EventDispatcher& dispatcher);

  Job(JobPaths paths, JobRecord record, std::optional<ft_callbacks> callbacks, EventDispatcher& dispatcher);

  const std::string& id() const { return id_; }
  int64_t created_at() const { return created_at_; }
  const JobPaths& paths() const { return paths_; }
  // The request as recorded in request.json; throws ft::Error when it cannot be read.
  TrainingRequest request() const;

  // --- Reads (snapshots) ---
  nlohmann::json object() const;
  ft_progress progress() const;  // every field but struct_size
  // hyperparameters.json; ApiError(FT_ERR_STATE) before the hyper-parameters are resolved.
  std::string hyperparameters_document() const;
  // The "hyperparameters" object of hyperparameters.json, if resolved.
  std::optional<nlohmann::json> resolved_hyperparameters() const;
  std::string events(uint64_t after_seq, size_t limit) const;
  // The final status once the job is final and all its events were delivered; nullopt when
  // `timeout_ms` passed first (< 0: no limit).
  std::optional<ft_job_status> wait(int64_t timeout_ms);

  // --- Host requests ---
  // Validating or queued: cancelled at once; running: the trainer stops at its next micro-batch;
  // cancelled: nothing. ApiError(FT_ERR_STATE) when it succeeded or failed. `reason` ends the
  // final event's message ("" or "the plugin was closed").
  void cancel(const std::string& reason);
  // Cancels unless final; never throws for the job's state (ft_close).
  void cancel_for_close();
  // Back to "queued" for an interrupted, cancelled or io-failed job (it continues from its newest
  // readable checkpoint); ApiError(FT_ERR_STATE) otherwise, ft::Error(invalid_input) when its
  // request is unreadable, ft::Error(io) when the change cannot be written (nothing changes).
  void resume();
  // A job found unfinished by ft_open: failed with error.code "interrupted", its metrics
  // recovered from its event log.
  void mark_interrupted();

  // --- Worker transitions (each returns false, changing nothing, when the job is no longer in
  // the status the worker expected: cancelled, or resumed meanwhile) ---
  bool mark_validated(const nlohmann::json& plan);  // validating_files -> queued
  bool claim(const std::string& device_name);       // queued -> running
  void record_plan(const nlohmann::json& plan);     // a resumed job that was never validated
  // The trainer is ready: from `checkpoint` at `completed_steps`, or from the first step.
  void training_begins(const std::optional<std::filesystem::path>& checkpoint, int64_t completed_steps);
  void record_step(const StepMetrics& metrics);
  void record_checkpoint(const SavedCheckpoint& checkpoint);
  // An "info" event of the running job: a plain "message", or a "learning_rate_trial" with its
  // measurements in `data` (docs/api.md).
  void report(const std::string& message, const std::string& type = "message", const nlohmann::json& data = nullptr);
  // An event of level "warning": the job goes on, with something the user should know.
  void warn(const std::string& message);
  // Running -> succeeded (or cancelled, when a cancel came meanwhile).
  void succeed(const std::filesystem::path& model_folder);
  void end_cancelled();
  void fail(ft_job_status expected, const Failure& failure);
  bool cancel_requested() const { return cancel_.load(); }
  const std::atomic<bool>* cancel_flag() const { return &cancel_; }
  // Called by the event dispatcher once on_event returned for the event `seq`.
  void delivered(uint64_t seq);

 private:
  using Clock = std::chrono::steady_clock;
  void add_event_locked(const std::string& level, const std::string& type, const std::string& message,
                        const nlohmann::json& data);
  void change_status_locked(ft_job_status status, const std::string& level, const std::string& message);
  void finish_locked(ft_job_status status, const std::string& level, const std::string& message);
  void persist_locked();
  nlohmann::json object_locked() const;
  double elapsed_locked() const;
  double eta_locked() const;
  void remember_plan_locked(const nlohmann::json& hyperparameters);
  void adopt_plan_locked(const nlohmann::json& plan);
  void cancel_locked(const std::string& reason);
  std::string cancelled_message_locked() const;

  const std::string id_;
  const int64_t created_at_;
  const JobPaths paths_;
  EventDispatcher& dispatcher_;
  std::atomic<bool> cancel_{false};

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  JobRecord record_;
  std::optional<ft_callbacks> callbacks_;
  std::string cancel_reason_;
  mutable EventLog events_;
  uint64_t posted_seq_ = 0, delivered_seq_ = 0;
  std::optional<nlohmann::json> plan_;  // hyperparameters.json's "hyperparameters", once resolved
  int64_t total_steps_ = 0, n_epochs_ = 0, steps_per_epoch_ = 0;
  int64_t step_ = 0;
  double train_loss_ = -1, tokens_per_second_ = -1;
  std::optional<Clock::time_point> run_started_;  // while running in this process
  int64_t steps_at_run_start_ = 0;
  Clock::time_point last_persist_{};
};

}  // namespace ft::plugin
