#include "plugin/status_names.h"

namespace ft::plugin {

const char* status_name(ft_status status) {
  switch (status) {
    case FT_OK: return "ok";
    case FT_ERR_INVALID_ARGUMENT: return "invalid_argument";
    case FT_ERR_NOT_FOUND: return "not_found";
    case FT_ERR_INVALID_INPUT: return "invalid_input";
    case FT_ERR_STATE: return "state";
    case FT_ERR_TIMEOUT: return "timeout";
    case FT_ERR_IO: return "io";
    case FT_ERR_OUT_OF_MEMORY: return "out_of_memory";
    case FT_ERR_UNSUPPORTED: return "unsupported";
    case FT_ERR_INTERNAL: return "internal";
  }
  return "unknown";
}

const char* job_status_name(ft_job_status status) {
  switch (status) {
    case FT_JOB_VALIDATING_FILES: return "validating_files";
    case FT_JOB_QUEUED: return "queued";
    case FT_JOB_RUNNING: return "running";
    case FT_JOB_SUCCEEDED: return "succeeded";
    case FT_JOB_FAILED: return "failed";
    case FT_JOB_CANCELLED: return "cancelled";
  }
  return "unknown";
}

std::optional<ft_job_status> job_status_from_name(const std::string& name) {
  for (int s = FT_JOB_VALIDATING_FILES; s <= FT_JOB_CANCELLED; ++s) {
    if (name == job_status_name(static_cast<ft_job_status>(s))) return static_cast<ft_job_status>(s);
  }
  return std::nullopt;
}

bool is_final(ft_job_status status) {
  return status == FT_JOB_SUCCEEDED || status == FT_JOB_FAILED || status == FT_JOB_CANCELLED;
}

}  // namespace ft::plugin
