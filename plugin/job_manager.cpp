#include "plugin/job_manager.h"

#include "plugin/api_error.h"
#include "plugin/job_id.h"
#include "plugin/job_runner.h"
#include "plugin/status_names.h"

#include <algorithm>
#include <ctime>

namespace ft::plugin {
namespace {

// The last resort of a worker thread: an exception must not escape it (std::terminate), so the
// job is failed if that can still be recorded (not when the disk refuses even that).
void fail_quietly(Job& job, std::initializer_list<ft_job_status> expected) noexcept {
  const Failure failure = failure_of_current_exception();
  for (const auto status : expected) {
    try {
      job.fail(status, failure);
    } catch (...) {
    }
  }
}

}  // namespace

JobManager::JobManager(Workspace& workspace, torch::Device device, int max_concurrent_jobs,
                       std::shared_ptr<DistributedGroup> group)
    : workspace_(workspace), device_(device), group_(std::move(group)) {
  load_existing();
  try {
    threads_.emplace_back([this] { validator_loop(); });
    for (int i = 0; i < max_concurrent_jobs; ++i) threads_.emplace_back([this] { trainer_loop(); });
  } catch (...) {
    close();  // the threads already started must be joined before the members go
    throw;
  }
}

JobManager::~JobManager() { close(); }

void JobManager::load_existing() {
  for (const auto& id : workspace_.job_ids()) {
    std::shared_ptr<Job> job;
    try {
      job = Job::load(workspace_.job_paths(id), dispatcher_);
    } catch (const std::exception&) {
      continue;  // docs/api.md: a job folder whose job.json cannot be read is skipped, left on disk
    }
    try {
      job->mark_interrupted();  // nothing runs yet: an unfinished job belonged to a dead process
    } catch (const std::exception&) {
      // Not written down (a full disk, say), but marked in memory: it is listed as interrupted.
    }
    jobs_.emplace(id, std::move(job));
  }
}

nlohmann::json JobManager::create(const TrainingRequest& request, const std::optional<ft_callbacks>& callbacks) {
  const std::string id = new_job_id();
  JobRecord record;
  record.id = id;
  record.created_at = static_cast<int64_t>(std::time(nullptr));
  record.model = request.model;
  record.training_file = request.training_file.string();
  if (request.validation_file) record.validation_file = request.validation_file->string();
  record.method = to_string(request.method);
  record.hyperparameters = requested_hyperparameters(request.hyperparameters);
  if (request.seed.is_number_integer()) record.seed = request.seed;
  if (!request.suffix.empty()) record.suffix = request.suffix;
  auto job = Job::create(workspace_.job_paths(id), std::move(record), request, callbacks, dispatcher_);
  auto object = job->object();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.emplace(id, job);
    to_validate_.push_back(job);
  }
  work_.notify_all();
  return object;
}

std::string JobManager::new_job_id() {
  if (!group_ || group_->rank() == 0) {
    std::string id = make_job_id();
    while (!workspace_.create_job_folder(id)) id = make_job_id();
    if (group_) group_->exchange_texts("create", id);
    return id;
  }
  const std::string id = group_->exchange_texts("create", "").front();
  if (!is_job_id(id) || !workspace_.create_job_folder(id)) {
    throw ApiError(FT_ERR_STATE, "rank " + std::to_string(group_->rank()) + ": rank 0's new job " + id.substr(0, 40) +
                                     " is already in this rank's workspace " + workspace_.root().string());
  }
  return id;
}

std::shared_ptr<Job> JobManager::find(const std::string& job_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = jobs_.find(job_id);
  if (found == jobs_.end()) {
    throw ApiError(FT_ERR_NOT_FOUND, "no job " + job_id + " in the workspace " + workspace_.root().string());
  }
  return found->second;
}

std::vector<std::shared_ptr<Job>> JobManager::list() const {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& entry : jobs_) jobs.push_back(entry.second);
  }
  // Newest first: by creation time, then by id (ids begin with their creation time in ms).
  std::sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) {
    return a->created_at() != b->created_at() ? a->created_at() > b->created_at() : a->id() > b->id();
  });
  return jobs;
}

nlohmann::json JobManager::resume(const std::string& job_id) {
  auto job = find(job_id);
  job->resume();
  auto object = job->object();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    to_train_.push_back(job);
  }
  work_.notify_all();
  return object;
}

std::shared_ptr<Job> JobManager::next(std::deque<std::shared_ptr<Job>>& queue) {
  std::unique_lock<std::mutex> lock(mutex_);
  work_.wait(lock, [&] { return closing_ || !queue.empty(); });
  if (closing_) return nullptr;
  auto job = std::move(queue.front());
  queue.pop_front();
  return job;
}

void JobManager::validator_loop() {
  while (auto job = next(to_validate_)) {
    try {
      if (!validate_job(*job, device_, group_.get())) continue;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        to_train_.push_back(job);
      }
      work_.notify_all();
    } catch (...) {
      fail_quietly(*job, {FT_JOB_VALIDATING_FILES, FT_JOB_QUEUED});
    }
  }
}

void JobManager::trainer_loop() {
  while (auto job = next(to_train_)) {
    try {
      // A job cancelled (or taken by another trainer) while it waited is not claimed.
      if (job->claim(device_.str())) {
        run_job(*job, device_, group_);
      } else {
        withdraw_from_world(*job, group_.get());
      }
    } catch (...) {
      fail_quietly(*job, {FT_JOB_QUEUED, FT_JOB_RUNNING});
    }
  }
}

void JobManager::close() {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_ && threads_.empty()) return;
    closing_ = true;
    for (const auto& entry : jobs_) jobs.push_back(entry.second);
  }
  for (const auto& job : jobs) {
    try {
      job->cancel_for_close();
    } catch (...) {
      // Recording the cancel failed (a full disk); its flag is set, so it stops all the same,
      // and the threads must be joined whatever happens.
    }
  }
  work_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  dispatcher_.stop();  // after the workers: their last events are delivered too
}

}  // namespace ft::plugin
