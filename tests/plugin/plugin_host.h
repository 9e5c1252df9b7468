// What the plugin tests share: the library loaded with dlopen (never linked) and driven only
// through the C ABI of finetune.h, JSON helpers, and the tiny data and requests the jobs use.
#pragma once

#include "tests/catch.h"
#include "tests/copy_data.h"
#include "tests/temp_folder.h"

#include <finetune/finetune.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace ft::testing {

// The plugin, loaded once per process. Tests see only the table of ft_get_api.
inline const ft_api& api() {
  static const ft_api* table = [] {
    void* library = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto get_api = reinterpret_cast<ft_get_api_fn>(dlsym(library, "ft_get_api"));
    if (get_api == nullptr) throw std::runtime_error("ft_get_api is not exported");
    return get_api(FT_ABI_VERSION_MAJOR);
  }();
  if (table == nullptr) throw std::runtime_error("ft_get_api(1) returned NULL");
  return *table;
}

inline std::string model_folder() { return std::string(FT_FIXTURES) + "/hf/tiny-llama"; }

// A call that ends in `char **out`: its status, the parsed document (on FT_OK; the string is
// freed with ft_free), and ft_last_error (otherwise).
struct Answer {
  ft_status status = FT_ERR_INTERNAL;
  nlohmann::json json;
  std::string error;
  bool ok() const { return status == FT_OK; }
};

template <typename Call>
Answer json_call(Call&& call) {
  char* out = nullptr;
  Answer answer;
  answer.status = call(&out);
  if (answer.status == FT_OK) {
    answer.json = nlohmann::json::parse(out);
    api().ft_free(out);
  } else {
    answer.error = api().ft_last_error();
  }
  return answer;
}

// An open workspace, closed at the end of the scope.
class Workspace {
 public:
  explicit Workspace(const std::filesystem::path& folder, nlohmann::json options = nlohmann::json::object()) {
    options["workspace"] = folder.string();
    if (!options.contains("threads")) options["threads"] = 1;  // a tiny model trains fastest on one
    const auto status = api().ft_open(options.dump().c_str(), &handle_);
    if (status != FT_OK) throw std::runtime_error(std::string("ft_open: ") + api().ft_last_error());
  }
  ~Workspace() { close(); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  ft_plugin* get() const { return handle_; }
  void close() {
    api().ft_close(handle_);
    handle_ = nullptr;
  }

  Answer plan(const nlohmann::json& request) const {
    const auto text = request.dump();
    return json_call([&](char** out) { return api().ft_plan(handle_, text.c_str(), out); });
  }
  Answer create(const nlohmann::json& request, const ft_callbacks* callbacks = nullptr) const {
    const auto text = request.dump();
    return json_call([&](char** out) { return api().ft_job_create(handle_, text.c_str(), callbacks, out); });
  }
  Answer get(const std::string& id) const {
    return json_call([&](char** out) { return api().ft_job_get(handle_, id.c_str(), out); });
  }
  Answer list() const {
    return json_call([&](char** out) { return api().ft_job_list(handle_, out); });
  }
  Answer hyperparameters(const std::string& id) const {
    return json_call([&](char** out) { return api().ft_job_hyperparameters(handle_, id.c_str(), out); });
  }
  Answer events(const std::string& id, uint64_t after_seq = 0) const {
    return json_call([&](char** out) { return api().ft_job_events(handle_, id.c_str(), after_seq, out); });
  }
  Answer resume(const std::string& id) const {
    return json_call([&](char** out) { return api().ft_job_resume(handle_, id.c_str(), out); });
  }
  Answer generate(const nlohmann::json& request) const {
    const auto text = request.dump();
    return json_call([&](char** out) { return api().ft_generate(handle_, text.c_str(), out); });
  }
  ft_progress progress(const std::string& id) const {
    ft_progress p = FT_PROGRESS_INIT;
    const auto status = api().ft_job_progress(handle_, id.c_str(), &p);
    if (status != FT_OK) throw std::runtime_error(std::string("ft_job_progress: ") + api().ft_last_error());
    return p;
  }
  ft_job_status wait(const std::string& id, int64_t timeout_ms = 120000) const {
    ft_job_status status = FT_JOB_VALIDATING_FILES;
    const auto result = api().ft_job_wait(handle_, id.c_str(), timeout_ms, &status);
    if (result != FT_OK) throw std::runtime_error(std::string("ft_job_wait: ") + api().ft_last_error());
    return status;
  }
  // Polls until the job has completed `steps` optimizer steps (or is final).
  void wait_for_step(const std::string& id, int64_t steps) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      const auto p = progress(id);
      if (p.step >= steps || p.status >= FT_JOB_SUCCEEDED) return;
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the job made no progress");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

 private:
  ft_plugin* handle_ = nullptr;
};

inline nlohmann::json copy_request(const std::filesystem::path& training_file, int n_epochs = 2) {
  return {{"model", model_folder()},
          {"training_file", training_file.string()},
          {"hyperparameters", {{"n_epochs", n_epochs}}},
          {"seed", 7}};
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline size_t count_lines(const std::filesystem::path& path) {
  const auto text = read_text(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

inline std::filesystem::path job_folder(const TempFolder& workspace, const std::string& id) {
  return workspace.path() / "jobs" / id;
}

}  // namespace ft::testing
