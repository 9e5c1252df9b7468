// Loads libfinetune.so with dlopen, checks its ABI version and resolves its functions through
// ft_get_api; then opens a workspace. Every plugin failure becomes a HostError carrying the
// plugin's message (ft_last_error).
#pragma once

#include <finetune/finetune.h>
#include <nlohmann/json.hpp>

#include <string>

namespace fthost {

// Where the plugin is: `explicit_path` (--plugin) if not empty, else $FT_PLUGIN, else
// libfinetune.so beside the executable, else ../plugin/libfinetune.so (the build tree).
std::string find_plugin_path(const std::string& explicit_path);

class Plugin {
 public:
  Plugin(const std::string& library_path, const std::string& workspace);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const ft_api& api() const { return *api_; }
  ft_plugin* handle() const { return handle_; }

  // Each returns the plugin's JSON text as is, or throws HostError.
  std::string plan(const std::string& request) const;
  std::string create(const std::string& request, const ft_callbacks* callbacks = nullptr) const;
  std::string get(const std::string& job_id) const;
  std::string list() const;
  std::string hyperparameters(const std::string& job_id) const;
  std::string events(const std::string& job_id, uint64_t after_seq) const;
  std::string resume(const std::string& job_id) const;
  std::string generate(const std::string& request) const;
  void cancel(const std::string& job_id) const;
  ft_progress progress(const std::string& job_id) const;
  // True when the job is final within timeout_ms; its status in *status.
  bool wait(const std::string& job_id, int64_t timeout_ms, ft_job_status* status) const;

  // Every event of a job, oldest first (follows has_more).
  nlohmann::json all_events(const std::string& job_id) const;

  // Throws PluginError("<what>: <ft_last_error> [<status name>]") unless status is FT_OK.
  void check(ft_status status, const std::string& what) const;

 private:
  std::string take(char* text) const;
  void* library_ = nullptr;
  const ft_api* api_ = nullptr;
  ft_plugin* handle_ = nullptr;
};

}  // namespace fthost
