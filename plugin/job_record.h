// The job object (docs/api.md, "The job object"): what ft_job_get returns and job.json holds.
#pragma once

#include <finetune/finetune.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft::plugin {

struct JobError {
  std::string code;  // a status name ("invalid_input") or "interrupted"
  std::string message;
  std::string param;  // empty: null
};

struct JobRecord {
  std::string id;
  ft_job_status status = FT_JOB_VALIDATING_FILES;
  int64_t created_at = 0;
  std::optional<int64_t> started_at, finished_at, estimated_finish;
  std::string model, training_file;
  std::optional<std::string> validation_file;
  std::string method = "auto";  // the request's, then the plan's: "full" or "lora"
  std::optional<std::string> fine_tuned_model;
  int64_t trained_tokens = 0;
  std::optional<JobError> error;
  std::vector<std::string> result_files;
  nlohmann::json hyperparameters = nlohmann::json::object();  // OpenAI's four: values or "auto"
  nlohmann::json seed;                                          // null until known
  std::optional<std::string> suffix;
  nlohmann::json metrics;  // null before the first step
  // Wall-clock seconds spent running over all runs and processes, so that ft_progress's
  // elapsed_seconds survives a restart. An addition to the documented keys.
  double elapsed_seconds = 0;
};

nlohmann::json to_json(const JobRecord& record);
// Throws ft::Error(invalid_input) naming `source` when a key is missing or of the wrong type.
JobRecord job_record_from_json(const nlohmann::json& object, const std::string& source);

// The four hyper-parameters of the job object from a request's "hyperparameters": each value
// or "auto".
nlohmann::json requested_hyperparameters(const nlohmann::json& request_hyperparameters);

}  // namespace ft::plugin
