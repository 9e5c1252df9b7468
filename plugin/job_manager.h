// The jobs of one open workspace and the threads that work on them: one validator (jobs in
// "validating_files", in order) and max_concurrent_jobs trainers (jobs in "queued", in order),
// plus the event dispatcher. The number of threads is fixed when the workspace is opened, and
// close() joins them all, so that a host may dlclose the library afterwards.
#pragma once

#include "engine/distributed/distributed_group.h"
#include "plugin/event_dispatcher.h"
#include "plugin/job.h"
#include "plugin/workspace.h"

#include <torch/torch.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ft::plugin {

class JobManager {
 public:
  // Lists the jobs already in `workspace` and marks the unfinished ones interrupted (a job
  // folder that cannot be read is skipped), then starts the threads.
  // With `group`, every rank creates, validates and trains the same jobs in the same order: a
  // job gets rank 0's id and plan on every rank (job_runner.h).
  JobManager(Workspace& workspace, torch::Device device, int max_concurrent_jobs,
             std::shared_ptr<DistributedGroup> group = nullptr);
  ~JobManager();  // close()
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // A new job for `request` (absolute paths), validating in the background. Returns its job
  // object as created ("validating_files"), before a worker can change it.
  nlohmann::json create(const TrainingRequest& request, const std::optional<ft_callbacks>& callbacks);
  // ApiError(FT_ERR_NOT_FOUND) when the workspace has no job `job_id`.
  std::shared_ptr<Job> find(const std::string& job_id) const;
  std::vector<std::shared_ptr<Job>> list() const;  // newest first
  // ft_job_resume: back to "queued"; returns the job object as resumed.
  nlohmann::json resume(const std::string& job_id);
  // Cancels every unfinished job, waits for the workers to stop, delivers the last events and
  // joins every thread. Idempotent.
  void close();

  const torch::Device& device() const { return device_; }

 private:
  void load_existing();
  void validator_loop();
  void trainer_loop();
  // The next job of `queue`, or nullptr once closing.
  std::shared_ptr<Job> next(std::deque<std::shared_ptr<Job>>& queue);
  // A new job's id: a fresh one, or rank 0's in a world; its folder is created.
  std::string new_job_id();

  Workspace& workspace_;
  const torch::Device device_;
  const std::shared_ptr<DistributedGroup> group_;
  EventDispatcher dispatcher_;  // declared before the jobs: it outlives their deliveries

  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> to_validate_, to_train_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ft::plugin
