// The one exception ft-host throws: a message for the user and the exit code it ends with.
#pragma once

#include <stdexcept>
#include <string>

namespace fthost {

// Exit codes: 0 success, 1 the job failed or was cancelled, 2 bad usage or input.
inline constexpr int exit_ok = 0;
inline constexpr int exit_job_failed = 1;
inline constexpr int exit_usage = 2;

class HostError : public std::runtime_error {
 public:
  explicit HostError(const std::string& message, int exit_code = exit_usage)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace fthost
