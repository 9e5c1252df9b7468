// The entry points of finetune.h. Each one catches every exception (none crosses the C
// boundary), sets this thread's last error ("" on success), and sets its out-parameters only as
// its last step, so that a failure leaves them untouched.
#include "engine/compute_device.h"
#include "engine/core/error.h"
#include "engine/training/cpu_tensor_allocator.h"
#include "engine/training_setup.h"
#include "plugin/api_error.h"
#include "plugin/failure.h"
#include "plugin/generation.h"
#include "plugin/job_id.h"
#include "plugin/json_text.h"
#include "plugin/last_error.h"
#include "plugin/plugin_handle.h"
#include "plugin/request_resolution.h"
#include "plugin/status_names.h"
#include "plugin/version_text.h"

#include <finetune/finetune.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

using namespace ft::plugin;

namespace {

// At most this many events per ft_job_events call (the header's promise).
constexpr size_t kEventsPerPage = 1000;
// ft_job_wait clamps longer timeouts so that now + timeout cannot overflow the clock (31 years).
constexpr int64_t kLongestWaitMs = int64_t{1} << 40;

template <typename Body>
ft_status guarded(Body&& body) noexcept {
  try {
    body();
    clear_last_error();
    return FT_OK;
  } catch (...) {
    Failure failure = failure_of_current_exception();
    set_last_error(std::move(failure.message));
    return failure.status;
  }
}

// Hands `text` to the caller, who frees it with ft_free.
void give(char** out, const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  *out = copy;
}

std::shared_ptr<Job> job_of(ft_plugin* plugin, const char* job_id, const char* function) {
  auto& handle = require_handle(plugin, function);
  return handle.jobs->find(require_job_id(job_id, function));
}

}  // namespace

uint32_t ft_abi_version(void) { return FT_ABI_VERSION; }

const char* ft_version(void) { return version_text(); }

const char* ft_last_error(void) { return last_error(); }

const char* ft_status_name(ft_status status) { return status_name(status); }

const char* ft_job_status_name(ft_job_status status) { return job_status_name(status); }

void ft_free(void* p) { std::free(p); }

ft_status ft_open(const char* options_json, ft_plugin** out_plugin) {
  return guarded([&] {
    require_pointer(out_plugin, "ft_open", "out_plugin");
    require_pointer(options_json, "ft_open", "options_json");
    const auto options = parse_plugin_options(parse_argument_object(options_json, "options"));
    auto device = ft::choose_device(options.device);
    // Each rank of a world on CUDA devices trains on the GPU of its LOCAL_RANK.
    if (device.is_cuda() && options.distributed) {
      device = ft::choose_device("cuda:" + std::to_string(options.distributed->local_rank));
    }
    // libtorch's intra-op pool is process-wide; the header says so.
    torch::set_num_threads(options.threads > 0 ? options.threads : available_cores());
    // So is its CPU allocator; ours fragments less (engine/training/cpu_tensor_allocator.h).
    ft::use_cpu_tensor_allocator();
    auto plugin = std::make_unique<ft_plugin>(options, device);
    register_handle(plugin.get());
    *out_plugin = plugin.release();
  });
}

void ft_close(ft_plugin* plugin) {
  if (plugin == nullptr) return clear_last_error();
  try {
    if (!unregister_handle(plugin)) {
      return set_last_error("ft_close: the plugin handle is not open (closed already?)");
    }
    plugin->jobs->close();
    delete plugin;
    clear_last_error();
  } catch (...) {
    set_last_error(failure_of_current_exception().message);
  }
}

ft_status ft_plan(ft_plugin* plugin, const char* request_json, char** out_json) {
  return guarded([&] {
    auto& handle = require_handle(plugin, "ft_plan");
    require_pointer(request_json, "ft_plan", "request_json");
    require_pointer(out_json, "ft_plan", "out_json");
    const auto request = read_request(request_json);
    require_request_files(request);
    const ft::TensorMemoryRetention retention;  // the plan's timing probe runs training steps
    const auto setup = ft::prepare_training(request, handle.device);
    give(out_json, dump_json(ft::describe_plan(setup, handle.device)));
  });
}

ft_status ft_job_create(ft_plugin* plugin, const char* request_json, const ft_callbacks* callbacks,
                        char** out_job_json) {
  return guarded([&] {
    auto& handle = require_handle(plugin, "ft_job_create");
    require_pointer(request_json, "ft_job_create", "request_json");
    require_pointer(out_job_json, "ft_job_create", "out_job_json");
    std::optional<ft_callbacks> copied;
    if (callbacks != nullptr) {
      if (callbacks->struct_size < FT_CALLBACKS_SIZE_1_0) {
        throw ApiError(FT_ERR_INVALID_ARGUMENT, "ft_job_create: callbacks->struct_size is " +
                                                    std::to_string(callbacks->struct_size) + ", at least " +
                                                    std::to_string(FT_CALLBACKS_SIZE_1_0) + " (sizeof(ft_callbacks))");
      }
      ft_callbacks copy{};
      // A newer host's larger struct: the members this library knows.
      std::memcpy(&copy, callbacks, std::min(callbacks->struct_size, sizeof copy));
      copied = copy;
    }
    const auto request = read_request(request_json);
    require_request_files(request);
    give(out_job_json, dump_json(handle.jobs->create(request, copied)));
  });
}

ft_status ft_job_get(ft_plugin* plugin, const char* job_id, char** out_json) {
  return guarded([&] {
    require_pointer(out_json, "ft_job_get", "out_json");
    give(out_json, dump_json(job_of(plugin, job_id, "ft_job_get")->object()));
  });
}

ft_status ft_job_list(ft_plugin* plugin, char** out_json) {
  return guarded([&] {
    auto& handle = require_handle(plugin, "ft_job_list");
    require_pointer(out_json, "ft_job_list", "out_json");
    nlohmann::json data = nlohmann::json::array();
    for (const auto& job : handle.jobs->list()) data.push_back(job->object());
    give(out_json, dump_json({{"data", std::move(data)}}));
  });
}

ft_status ft_job_hyperparameters(ft_plugin* plugin, const char* job_id, char** out_json) {
  return guarded([&] {
    require_pointer(out_json, "ft_job_hyperparameters", "out_json");
    give(out_json, job_of(plugin, job_id, "ft_job_hyperparameters")->hyperparameters_document());
  });
}

ft_status ft_job_events(ft_plugin* plugin, const char* job_id, uint64_t after_seq, char** out_json) {
  return guarded([&] {
    require_pointer(out_json, "ft_job_events", "out_json");
    give(out_json, job_of(plugin, job_id, "ft_job_events")->events(after_seq, kEventsPerPage));
  });
}

ft_status ft_job_progress(ft_plugin* plugin, const char* job_id, ft_progress* progress) {
  return guarded([&] {
    require_pointer(progress, "ft_job_progress", "progress");
    if (progress->struct_size < FT_PROGRESS_SIZE_1_0) {
      throw ApiError(FT_ERR_INVALID_ARGUMENT, "ft_job_progress: progress->struct_size is " +
                                                  std::to_string(progress->struct_size) + ", at least " +
                                                  std::to_string(FT_PROGRESS_SIZE_1_0) + " (sizeof(ft_progress))");
    }
    const ft_progress snapshot = job_of(plugin, job_id, "ft_job_progress")->progress();
    // Every field after struct_size that lies within the caller's struct_size; never more.
    const size_t first = offsetof(ft_progress, status);
    const size_t end = std::min(progress->struct_size, sizeof(ft_progress));
    std::memcpy(reinterpret_cast<char*>(progress) + first, reinterpret_cast<const char*>(&snapshot) + first, end - first);
  });
}

ft_status ft_job_cancel(ft_plugin* plugin, const char* job_id) {
  return guarded([&] { job_of(plugin, job_id, "ft_job_cancel")->cancel(""); });
}

ft_status ft_job_wait(ft_plugin* plugin, const char* job_id, int64_t timeout_ms, ft_job_status* out_status) {
  return guarded([&] {
    const auto job = job_of(plugin, job_id, "ft_job_wait");
    const auto status = job->wait(std::min(timeout_ms, kLongestWaitMs));
    if (!status) {
      throw ApiError(FT_ERR_TIMEOUT, "ft_job_wait: job " + job->id() + " is not final after " +
                                         std::to_string(timeout_ms) + " ms");
    }
    if (out_status != nullptr) *out_status = *status;
  });
}

ft_status ft_job_resume(ft_plugin* plugin, const char* job_id, char** out_job_json) {
  return guarded([&] {
    auto& handle = require_handle(plugin, "ft_job_resume");
    require_pointer(out_job_json, "ft_job_resume", "out_job_json");
    give(out_job_json, dump_json(handle.jobs->resume(require_job_id(job_id, "ft_job_resume"))));
  });
}

ft_status ft_generate(ft_plugin* plugin, const char* request_json, char** out_json) {
  return guarded([&] {
    auto& handle = require_handle(plugin, "ft_generate");
    require_pointer(request_json, "ft_generate", "request_json");
    require_pointer(out_json, "ft_generate", "out_json");
    give(out_json, dump_json(generate(parse_argument_object(request_json, "generate request"), *handle.jobs, handle.generation_model)));
  });
}
