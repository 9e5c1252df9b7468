// The workspace folder (design section 4):
//   <workspace>/lock                  flock'ed while a handle has the workspace open
//   <workspace>/jobs/<job-id>/        job.json, request.json, hyperparameters.json, events.jsonl,
//                                     results.csv, checkpoints/, model/, adapter/ (LoRA)
// Every JSON file is written atomically; the logs are appended one whole line per write.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ft::plugin {

struct JobPaths {
  std::filesystem::path folder, job, request, hyperparameters, events, results, checkpoints, model;
  std::filesystem::path adapter;  // a LoRA job's adapters, in PEFT's format
};

class Workspace {
 public:
  // Creates the folder (and its parents) when missing and takes its lock. Throws
  // ApiError(FT_ERR_STATE) when another handle or process holds it, ft::Error(io) when the
  // folder cannot be created or is not a folder.
  explicit Workspace(const std::filesystem::path& folder);
  ~Workspace();  // releases the lock
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::filesystem::path& root() const { return root_; }
  // The paths of a job; `job_id` must already be a valid id (nothing else may become a path).
  JobPaths job_paths(const std::string& job_id) const;
  // Creates the job's folder; false when it exists already (an id collision).
  bool create_job_folder(const std::string& job_id) const;
  // The folders under jobs/ whose names are job ids; other entries are left alone.
  std::vector<std::string> job_ids() const;

 private:
  std::filesystem::path root_;
  int lock_fd_ = -1;
};

// Writes `value` as JSON to `path` atomically (temporary file, flush, rename).
void write_json_atomically(const std::filesystem::path& path, const nlohmann::json& value);

// Appends `line` and a newline to `path` in one write (O_APPEND), creating the file. When the
// file's last line was torn (a power cut mid-write), the new line starts on a line of its own.
// A write that fails (a full disk) is cut back off and throws ft::Error(io) naming the file.
void append_line(const std::filesystem::path& path, const std::string& line);

}  // namespace ft::plugin
