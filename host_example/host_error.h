// The exceptions ft-host throws: a message for the user and the exit code it ends with, and for a
// failed plugin call also what the plugin said.
#pragma once

#include <finetune/finetune.h>

#include <stdexcept>
#include <string>
#include <utility>

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

// A call into the plugin that did not return FT_OK: its status, the status's name
// (ft_status_name) and the plugin's own message (ft_last_error), for hosts that pass them on as
// they are (ft-host serve's JSON errors).
class PluginError : public HostError {
 public:
  PluginError(const std::string& message, ft_status status, std::string status_name, std::string plugin_message)
      : HostError(message), status_(status), status_name_(std::move(status_name)), plugin_message_(std::move(plugin_message)) {}
  ft_status status() const { return status_; }
  const std::string& status_name() const { return status_name_; }
  const std::string& plugin_message() const { return plugin_message_; }

 private:
  ft_status status_;
  std::string status_name_, plugin_message_;
};

}  // namespace fthost
