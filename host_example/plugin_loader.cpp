#include "plugin_loader.h"

#include "host_error.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace fthost {

namespace fs = std::filesystem;

std::string find_plugin_path(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("FT_PLUGIN"); env && *env) return env;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const fs::path& candidate : {exe.parent_path() / "libfinetune.so", exe.parent_path().parent_path() / "plugin" / "libfinetune.so"}) {
      if (fs::exists(candidate, error)) return candidate.string();
    }
  }
  return "libfinetune.so";  // the dynamic loader's search path
}

Plugin::Plugin(const std::string& library_path, const std::string& workspace) {
  library_ = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library_) {
    const char* why = dlerror();
    throw HostError("cannot load the plugin " + library_path + ": " + (why ? why : "unknown error") +
                    " (pass --plugin PATH or set FT_PLUGIN)");
  }
  auto get_api = reinterpret_cast<ft_get_api_fn>(dlsym(library_, "ft_get_api"));
  auto abi_version = reinterpret_cast<uint32_t (*)()>(dlsym(library_, "ft_abi_version"));
  if (!get_api || !abi_version) throw HostError(library_path + " is not the finetune plugin (no ft_get_api)");
  const uint32_t version = abi_version();
  if (!FT_ABI_VERSION_IS_COMPATIBLE(version)) {
    throw HostError(library_path + " speaks ABI " + std::to_string(FT_ABI_VERSION_GET_MAJOR(version)) + "." +
                    std::to_string(FT_ABI_VERSION_GET_MINOR(version)) + "; this ft-host needs " +
                    std::to_string(FT_ABI_VERSION_MAJOR) + "." + std::to_string(FT_ABI_VERSION_MINOR));
  }
  api_ = get_api(FT_ABI_VERSION_MAJOR);
  if (!api_ || !FT_API_HAS(api_, ft_generate)) throw HostError(library_path + ": the function table is missing or too old");
  const nlohmann::json options = {{"workspace", workspace}};
  const ft_status status = api_->ft_open(options.dump().c_str(), &handle_);
  if (status == FT_ERR_STATE) {
    throw HostError(std::string("cannot open the workspace ") + workspace + ": " + api_->ft_last_error() +
                    " (another ft-host may be running a job there; wait for it or use another --workspace)");
  }
  check(status, "cannot open the workspace " + workspace);
}

Plugin::~Plugin() {
  if (api_ && handle_) api_->ft_close(handle_);
  // The library stays loaded: the process ends soon, and unloading libtorch is slow.
}

void Plugin::check(ft_status status, const std::string& what) const {
  if (status == FT_OK) return;
  const std::string message = api_->ft_last_error(), name = api_->ft_status_name(status);
  throw PluginError(what + ": " + message + " [" + name + "]", status, name, message);
}

std::string Plugin::take(char* text) const {
  std::string result(text ? text : "");
  api_->ft_free(text);
  return result;
}

std::string Plugin::plan(const std::string& request) const {
  char* out = nullptr;
  check(api_->ft_plan(handle_, request.c_str(), &out), "cannot plan");
  return take(out);
}

std::string Plugin::create(const std::string& request, const ft_callbacks* callbacks) const {
  char* out = nullptr;
  check(api_->ft_job_create(handle_, request.c_str(), callbacks, &out), "cannot start the job");
  return take(out);
}

std::string Plugin::get(const std::string& job_id) const {
  char* out = nullptr;
  check(api_->ft_job_get(handle_, job_id.c_str(), &out), "job " + job_id);
  return take(out);
}

std::string Plugin::list() const {
  char* out = nullptr;
  check(api_->ft_job_list(handle_, &out), "cannot list the jobs");
  return take(out);
}

std::string Plugin::hyperparameters(const std::string& job_id) const {
  char* out = nullptr;
  check(api_->ft_job_hyperparameters(handle_, job_id.c_str(), &out), "job " + job_id);
  return take(out);
}

std::string Plugin::events(const std::string& job_id, uint64_t after_seq) const {
  char* out = nullptr;
  check(api_->ft_job_events(handle_, job_id.c_str(), after_seq, &out), "job " + job_id);
  return take(out);
}

nlohmann::json Plugin::all_events(const std::string& job_id) const {
  nlohmann::json all = nlohmann::json::array();
  uint64_t after = 0;
  for (;;) {
    const auto page = nlohmann::json::parse(events(job_id, after));
    for (const auto& event : page["data"]) {
      all.push_back(event);
      after = event["seq"].get<uint64_t>();
    }
    if (!page.value("has_more", false) || page["data"].empty()) break;
  }
  return all;
}

std::string Plugin::resume(const std::string& job_id) const {
  char* out = nullptr;
  check(api_->ft_job_resume(handle_, job_id.c_str(), &out), "cannot resume " + job_id);
  return take(out);
}

std::string Plugin::generate(const std::string& request) const {
  char* out = nullptr;
  check(api_->ft_generate(handle_, request.c_str(), &out), "cannot generate");
  return take(out);
}

void Plugin::cancel(const std::string& job_id) const { check(api_->ft_job_cancel(handle_, job_id.c_str()), "cannot cancel " + job_id); }

ft_progress Plugin::progress(const std::string& job_id) const {
  ft_progress p = FT_PROGRESS_INIT;
  check(api_->ft_job_progress(handle_, job_id.c_str(), &p), "job " + job_id);
  return p;
}

bool Plugin::wait(const std::string& job_id, int64_t timeout_ms, ft_job_status* status) const {
  const ft_status s = api_->ft_job_wait(handle_, job_id.c_str(), timeout_ms, status);
  if (s == FT_ERR_TIMEOUT) return false;
  check(s, "job " + job_id);
  return true;
}

}  // namespace fthost
