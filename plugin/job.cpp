#include "plugin/job.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "plugin/api_error.h"
#include "plugin/json_text.h"
#include "plugin/results_table.h"
#include "plugin/status_names.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

// job.json is rewritten (and flushed) at every change of status and checkpoint, and during
// training at most this often: the per-step truth is in events.jsonl and results.csv.
constexpr std::chrono::seconds kPersistInterval{2};

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

nlohmann::json status_data(ft_job_status status) { return {{"status", job_status_name(status)}}; }

int64_t integer_value(const nlohmann::json& hyperparameters, const char* name) {
  const auto entry = hyperparameters.find(name);
  if (entry == hyperparameters.end() || !entry->is_object()) return 0;
  const auto& value = entry->value("value", nlohmann::json());
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

std::string format_loss(double loss) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", loss);
  return text;
}

nlohmann::json metrics_event_data(const StepMetrics& m) {
  nlohmann::json data = {{"step", m.step},
                         {"epoch", m.epoch},
                         {"tokens_seen", m.tokens_seen},
                         {"examples_seen", m.examples_seen},
                         {"train_loss", m.train_loss},
                         {"train_mean_token_accuracy", m.train_mean_token_accuracy},
                         {"learning_rate", m.learning_rate},
                         {"tokens_per_second", m.tokens_per_second}};
  if (m.valid_loss) data["valid_loss"] = *m.valid_loss;
  if (m.valid_mean_token_accuracy) data["valid_mean_token_accuracy"] = *m.valid_mean_token_accuracy;
  return data;
}

// The job object's "metrics" after a step: that step's training numbers, and the latest
// evaluation (kept from an earlier step when this one had none).
nlohmann::json job_metrics(const nlohmann::json& previous, const nlohmann::json& step) {
  nlohmann::json metrics = {{"step", step.at("step")},
                            {"train_loss", step.at("train_loss")},
                            {"train_mean_token_accuracy", step.at("train_mean_token_accuracy")},
                            {"valid_loss", nullptr},
                            {"valid_mean_token_accuracy", nullptr}};
  const auto& source = step.contains("valid_loss") ? step : previous;
  if (source.is_object()) {
    for (const char* key : {"valid_loss", "valid_mean_token_accuracy"}) {
      if (source.contains(key)) metrics[key] = source[key];
    }
  }
  return metrics;
}

}  // namespace

Job::Job(JobPaths paths, JobRecord record, std::optional<ft_callbacks> callbacks, EventDispatcher& dispatcher)
    : id_(record.id),
      created_at_(record.created_at),
      paths_(std::move(paths)),
      dispatcher_(dispatcher),
      record_(std::move(record)),
      callbacks_(callbacks),
      events_(paths_.events) {
  if (record_.metrics.is_object()) {
    step_ = record_.metrics.value("step", int64_t{0});
    train_loss_ = record_.metrics.value("train_loss", -1.0);
  }
}

std::shared_ptr<Job> Job::create(JobPaths paths, JobRecord record, const TrainingRequest& request,
                                 std::optional<ft_callbacks> callbacks, EventDispatcher& dispatcher) {
  write_json_atomically(paths.request, to_json(request));
  auto job = std::make_shared<Job>(std::move(paths), std::move(record), callbacks, dispatcher);
  std::lock_guard<std::mutex> lock(job->mutex_);
  job->persist_locked();
  std::string message = "Validating training file " + job->record_.training_file;
  if (job->record_.validation_file) message += " and validation file " + *job->record_.validation_file;
  job->add_event_locked("info", "message", message, nullptr);
  return job;
}

std::shared_ptr<Job> Job::load(JobPaths paths, EventDispatcher& dispatcher) {
  auto record = job_record_from_json(read_json_file(paths.job), paths.job.string());
  if (record.id != paths.folder.filename().string()) {
    throw Error(ErrorKind::invalid_input, paths.job.string() + ": the id does not match the folder");
  }
  auto job = std::make_shared<Job>(paths, std::move(record), std::nullopt, dispatcher);
  std::error_code ec;
  if (fs::exists(paths.hyperparameters, ec)) {
    try {
      const auto document = read_json_file(paths.hyperparameters);
      std::lock_guard<std::mutex> lock(job->mutex_);
      job->remember_plan_locked(document.at("hyperparameters"));
    } catch (const std::exception&) {
      // Unreadable: listed without hyper-parameters (ft_job_hyperparameters gives FT_ERR_STATE).
    }
  }
  return job;
}

TrainingRequest Job::request() const { return parse_training_request(read_json_file(paths_.request)); }

// --- Reads --------------------------------------------------------------------------------------

nlohmann::json Job::object() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return object_locked();
}

nlohmann::json Job::object_locked() const {
  auto object = to_json(record_);
  object["elapsed_seconds"] = elapsed_locked();
  return object;
}

double Job::elapsed_locked() const {
  double elapsed = record_.elapsed_seconds;
  if (run_started_) elapsed += std::chrono::duration<double>(Clock::now() - *run_started_).count();
  return elapsed;
}

double Job::eta_locked() const {
  if (is_final(record_.status)) return 0;
  const int64_t done = step_ - steps_at_run_start_;
  if (!run_started_ || done <= 0 || total_steps_ <= 0) return -1;
  const double per_step = std::chrono::duration<double>(Clock::now() - *run_started_).count() / done;
  return per_step * static_cast<double>(std::max<int64_t>(0, total_steps_ - step_));
}

ft_progress Job::progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  ft_progress p{};
  p.status = record_.status;
  p.step = step_;
  p.total_steps = total_steps_;
  p.n_epochs = static_cast<int32_t>(n_epochs_);
  // The epoch being trained: the one the next step belongs to, the last one once all are done.
  const bool training = record_.status == FT_JOB_RUNNING || step_ > 0;
  int64_t epoch = steps_per_epoch_ > 0 ? step_ / steps_per_epoch_ + 1 : 1;
  if (n_epochs_ > 0) epoch = std::min(epoch, n_epochs_);
  p.epoch = training ? static_cast<int32_t>(epoch) : 0;
  p.train_loss = train_loss_;
  p.tokens_per_second = tokens_per_second_;
  // A run that keeps its best epoch may stop before its planned steps (early stopping); once it
  // succeeded, what it trained is the whole of it.
  if (record_.status == FT_JOB_SUCCEEDED && step_ > 0 && step_ < total_steps_ && steps_per_epoch_ > 0) {
    p.total_steps = step_;
    p.n_epochs = p.epoch = static_cast<int32_t>((step_ + steps_per_epoch_ - 1) / steps_per_epoch_);
  }
  p.elapsed_seconds = elapsed_locked();
  p.eta_seconds = eta_locked();
  return p;
}

std::string Job::hyperparameters_document() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!plan_) {
    throw ApiError(FT_ERR_STATE, "ft_job_hyperparameters: job " + id_ + " is " + job_status_name(record_.status) +
                                     (record_.status == FT_JOB_VALIDATING_FILES
                                          ? "; its hyper-parameters are resolved once its files are validated"
                                          : " and its hyper-parameters were never resolved"));
  }
  return dump_json({{"job_id", id_}, {"hyperparameters", *plan_}});
}

std::optional<nlohmann::json> Job::resolved_hyperparameters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return plan_;
}

std::string Job::events(uint64_t after_seq, size_t limit) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.page(after_seq, limit);
}

std::optional<ft_job_status> Job::wait(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Final, and every event posted to on_event delivered (the header promises both on FT_OK).
  auto done = [this] { return is_final(record_.status) && delivered_seq_ >= posted_seq_; };
  if (timeout_ms < 0) {
    changed_.wait(lock, done);
  } else if (!changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), done)) {
    return std::nullopt;
  }
  return record_.status;
}

// --- Host requests ------------------------------------------------------------------------------

void Job::cancel(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status == FT_JOB_SUCCEEDED || record_.status == FT_JOB_FAILED) {
    throw ApiError(FT_ERR_STATE, "ft_job_cancel: job " + id_ + " already " + job_status_name(record_.status) +
                                     "; it is left as it is");
  }
  cancel_locked(reason);
}

void Job::cancel_for_close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!is_final(record_.status)) cancel_locked("the plugin was closed");
}

void Job::cancel_locked(const std::string& reason) {
  if (record_.status == FT_JOB_CANCELLED) return;  // idempotent
  const bool first = !cancel_.exchange(true);
  if (first) cancel_reason_ = reason;
  if (record_.status == FT_JOB_RUNNING) {
    // The trainer checks the flag before every micro-batch; the worker then ends the job.
    if (first) add_event_locked("info", "message", "Cancelling: training stops before its next micro-batch", nullptr);
    return;
  }
  // Validating or queued: nothing to wait for. A validator still reading the files finds the
  // job cancelled and drops its result.
  finish_locked(FT_JOB_CANCELLED, "info", cancelled_message_locked());
}

std::string Job::cancelled_message_locked() const {
  return "Fine-tuning cancelled" + (cancel_reason_.empty() ? std::string() : ": " + cancel_reason_);
}

void Job::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  // A failed write (a full disk) stops a job as an interruption does: its checkpoints are intact.
  const bool stopped = record_.status == FT_JOB_FAILED && record_.error &&
                       (record_.error->code == "interrupted" || record_.error->code == "io");
  if (record_.status != FT_JOB_CANCELLED && !stopped) {
    throw ApiError(FT_ERR_STATE, "ft_job_resume: job " + id_ + " is " + job_status_name(record_.status) +
                                     (record_.status == FT_JOB_FAILED ? " (not interrupted nor failed writing)" : "") +
                                     "; only an interrupted, cancelled or io-failed job can be resumed");
  }
  try {
    (void)request();
  } catch (const Error& e) {
    throw Error(ErrorKind::invalid_input, "ft_job_resume: the request of job " + id_ + " is unreadable: " + e.what());
  }
  std::string from = "from the first step";
  if (const auto latest = TrainingCheckpoints::latest(paths_.checkpoints)) {
    const auto step = TrainingCheckpoints::position_of(*latest).step;
    from = "from checkpoint " + latest->filename().string() + " (step " + std::to_string(step) + ")";
  }
  const JobRecord before = record_;
  record_.error.reset();
  record_.finished_at.reset();
  record_.estimated_finish.reset();
  record_.fine_tuned_model.reset();
  callbacks_.reset();  // the header: a resumed job has no callbacks
  cancel_ = false;
  cancel_reason_.clear();
  try {
    change_status_locked(FT_JOB_QUEUED, "info", "Resumed: training continues " + from);
  } catch (...) {
    record_ = before;  // not written down (the disk is still full): the job stays as it was
    throw;
  }
}

void Job::mark_interrupted() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (is_final(record_.status)) return;
  if (const auto last = events_.last_metrics("step")) {
    // events.jsonl has every step; job.json may be a few seconds older than the crash.
    record_.metrics = job_metrics(events_.last_metrics("valid_loss").value_or(nullptr), *last);
    record_.trained_tokens = last->value("tokens_seen", record_.trained_tokens);
    step_ = last->value("step", step_);
    train_loss_ = last->value("train_loss", train_loss_);
  }
  std::string message = "the process running this job ended while it was " +
                        std::string(job_status_name(record_.status)) +
                        (step_ > 0 ? " (after step " + std::to_string(step_) + ")" : std::string()) +
                        "; ft_job_resume continues it from its newest checkpoint";
  record_.error = JobError{"interrupted", message, ""};
  finish_locked(FT_JOB_FAILED, "error", "Interrupted: " + message);
}

// --- Worker transitions -------------------------------------------------------------------------

bool Job::mark_validated(const nlohmann::json& plan) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status != FT_JOB_VALIDATING_FILES) return false;
  adopt_plan_locked(plan);
  for (const auto& warning : plan.value("warnings", nlohmann::json::array())) {
    add_event_locked("warning", "message", warning.get<std::string>(), nullptr);
  }
  const auto& training = plan.at("data").at("training");
  std::string message = "Files validated: " + std::to_string(training.value("examples", int64_t{0})) +
                        " training examples (" + std::to_string(training.value("total_tokens", int64_t{0})) + " tokens)";
  const auto& validation = plan.at("data").value("validation", nlohmann::json());
  if (validation.is_object()) message += ", " + std::to_string(validation.value("examples", int64_t{0})) + " validation examples";
  change_status_locked(FT_JOB_QUEUED, "info", message);
  return true;
}

void Job::record_plan(const nlohmann::json& plan) {
  std::lock_guard<std::mutex> lock(mutex_);
  adopt_plan_locked(plan);
  persist_locked();
}

void Job::adopt_plan_locked(const nlohmann::json& plan) {
  const auto& hyperparameters = plan.at("hyperparameters");
  write_json_atomically(paths_.hyperparameters, {{"job_id", id_}, {"hyperparameters", hyperparameters}});
  remember_plan_locked(hyperparameters);
  for (const char* name : {"n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight"}) {
    record_.hyperparameters[name] = hyperparameters.at(name).at("value");
  }
  record_.seed = hyperparameters.at("seed").at("value");
  if (hyperparameters.contains("method")) record_.method = hyperparameters.at("method").at("value").get<std::string>();
}

void Job::remember_plan_locked(const nlohmann::json& hyperparameters) {
  plan_ = hyperparameters;
  total_steps_ = integer_value(hyperparameters, "total_steps");
  n_epochs_ = integer_value(hyperparameters, "n_epochs");
  steps_per_epoch_ = integer_value(hyperparameters, "steps_per_epoch");
}

bool Job::claim(const std::string& device_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status != FT_JOB_QUEUED) return false;
  create_results_table(paths_.results);
  record_.result_files = {paths_.results.string()};
  if (!record_.started_at) record_.started_at = now_seconds();
  run_started_ = Clock::now();
  std::string message = "Fine-tuning started";
  if (total_steps_ > 0) {
    message += ": " + std::to_string(total_steps_) + " steps over " + std::to_string(n_epochs_) + " epoch" +
               (n_epochs_ == 1 ? "" : "s");
  }
  change_status_locked(FT_JOB_RUNNING, "info", message + " on " + device_name);
  return true;
}

void Job::training_begins(const std::optional<fs::path>& checkpoint, int64_t completed_steps) {
  std::lock_guard<std::mutex> lock(mutex_);
  step_ = completed_steps;
  steps_at_run_start_ = completed_steps;
  run_started_ = Clock::now();  // the rate for the ETA counts training, not loading
  if (checkpoint) {
    add_event_locked("info", "message",
                     "Continuing from checkpoint " + checkpoint->filename().string() + " at step " +
                         std::to_string(completed_steps) + " of " + std::to_string(total_steps_),
                     nullptr);
  }
}

void Job::record_step(const StepMetrics& m) {
  std::lock_guard<std::mutex> lock(mutex_);
  step_ = m.step;
  train_loss_ = m.train_loss;
  tokens_per_second_ = m.tokens_per_second;
  const auto data = metrics_event_data(m);
  record_.metrics = job_metrics(record_.metrics, data);
  record_.trained_tokens = m.tokens_seen;
  append_results_row(paths_.results, m);
  std::string message = "step " + std::to_string(m.step) + "/" + std::to_string(m.total_steps) + ": train loss " +
                        format_loss(m.train_loss);
  if (m.valid_loss) message += ", valid loss " + format_loss(*m.valid_loss);
  add_event_locked("info", "metrics", message, data);
  const double eta = eta_locked();
  if (eta >= 0) record_.estimated_finish = now_seconds() + static_cast<int64_t>(std::ceil(eta));
  if (Clock::now() - last_persist_ >= kPersistInterval) persist_locked();
}

void Job::record_checkpoint(const SavedCheckpoint& checkpoint) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto when = checkpoint.epoch_end ? "after epoch " + std::to_string(checkpoint.position.completed_epochs)
                                         : "at step " + std::to_string(checkpoint.position.step);
  add_event_locked("info", "message", "Checkpoint written " + when + ": " + checkpoint.folder.string(), nullptr);
  persist_locked();
}

void Job::report(const std::string& message, const std::string& type, const nlohmann::json& data) {
  std::lock_guard<std::mutex> lock(mutex_);
  add_event_locked("info", type, message, data);
}

void Job::warn(const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  add_event_locked("warning", "message", message, nullptr);
}

void Job::succeed(const fs::path& model_folder) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status != FT_JOB_RUNNING) return;
  if (cancel_) {  // a cancel that returned FT_OK never ends in "succeeded"
    finish_locked(FT_JOB_CANCELLED, "info", cancelled_message_locked());
    return;
  }
  record_.fine_tuned_model = model_folder.string();
  finish_locked(FT_JOB_SUCCEEDED, "info", "Fine-tuning succeeded: model written to " + model_folder.string());
}

void Job::end_cancelled() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status == FT_JOB_RUNNING) finish_locked(FT_JOB_CANCELLED, "info", cancelled_message_locked());
}

void Job::fail(ft_job_status expected, const Failure& failure) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (record_.status != expected) return;
  record_.error = JobError{status_name(failure.status), failure.message, failure.param};
  finish_locked(FT_JOB_FAILED, "error", "Fine-tuning failed: " + failure.message);
}

void Job::delivered(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delivered_seq_ = std::max(delivered_seq_, seq);
  }
  changed_.notify_all();
}

// --- Internals ----------------------------------------------------------------------------------

void Job::add_event_locked(const std::string& level, const std::string& type, const std::string& message,
                           const nlohmann::json& data) {
  Event event = events_.append(level, type, message, data);  // recorded before delivered
  if (!callbacks_ || !callbacks_->on_event) return;
  posted_seq_ = event.seq;
  Delivery delivery;
  delivery.on_event = callbacks_->on_event;
  delivery.user_data = callbacks_->user_data;
  delivery.job_id = id_;
  delivery.event_json = std::move(event.text);
  delivery.delivered = [self = shared_from_this(), seq = event.seq] { self->delivered(seq); };
  dispatcher_.post(std::move(delivery));
}

void Job::change_status_locked(ft_job_status status, const std::string& level, const std::string& message) {
  record_.status = status;
  // Waiters see the new status even when writing it down fails below (a full disk).
  changed_.notify_all();
  persist_locked();
  add_event_locked(level, "message", message, status_data(status));
}

void Job::finish_locked(ft_job_status status, const std::string& level, const std::string& message) {
  record_.elapsed_seconds = elapsed_locked();
  run_started_.reset();
  record_.finished_at = now_seconds();
  record_.estimated_finish.reset();
  change_status_locked(status, level, message);
  // The final event is posted; after it the job calls nothing of the host's (user_data may go).
  callbacks_.reset();
}

void Job::persist_locked() {
  write_json_atomically(paths_.job, object_locked());
  last_persist_ = Clock::now();
}

}  // namespace ft::plugin
