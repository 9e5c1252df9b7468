#include "plugin/plugin_options.h"

#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"
#include "plugin/api_error.h"

#include <sched.h>
#include <cstdlib>
#include <thread>

namespace ft::plugin {
namespace {

[[noreturn]] void reject(const std::string& message) { throw ApiError(FT_ERR_INVALID_ARGUMENT, "options: " + message); }

// "auto", "cpu", "cuda" or "cuda:N" (N up to three digits).
bool is_device_name(const std::string& name) {
  if (name == "auto" || name == "cpu" || name == "cuda") return true;
  if (name.rfind("cuda:", 0) != 0 || name.size() < 6 || name.size() > 8) return false;
  return name.find_first_not_of("0123456789", 5) == std::string::npos;
}

int integer_in(const nlohmann::json& options, const std::string& key, int low, int high, int fallback) {
  if (!options.contains(key)) return fallback;
  const auto& value = options[key];
  if (!value.is_number_integer() || value.get<int64_t>() < low || value.get<int64_t>() > high) {
    reject("\"" + key + "\" must be an integer from " + std::to_string(low) + " to " + std::to_string(high) +
           ", found " + json_excerpt(value));
  }
  return static_cast<int>(value.get<int64_t>());
}

}  // namespace

PluginOptions parse_plugin_options(const nlohmann::json& options) {
  for (const auto& [key, value] : options.items()) {
    if (key != "workspace" && key != "device" && key != "max_concurrent_jobs" && key != "threads" && key != "distributed") {
      reject("unknown key " + quoted_excerpt(key) + " (known: workspace, device, max_concurrent_jobs, threads, distributed)");
    }
  }
  PluginOptions parsed;
  if (!options.contains("workspace")) reject("\"workspace\" is required: the folder where jobs live");
  if (!options["workspace"].is_string() || options["workspace"].get<std::string>().empty()) {
    reject("\"workspace\" must be a non-empty string");
  }
  parsed.workspace = options["workspace"].get<std::string>();
  if (options.contains("device")) {
    const auto& device = options["device"];
    if (!device.is_string() || !is_device_name(device.get<std::string>())) {
      reject("\"device\" must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", found " + json_excerpt(device));
    }
    parsed.device = device.get<std::string>();
  }
  parsed.max_concurrent_jobs = integer_in(options, "max_concurrent_jobs", 1, 64, 1);
  parsed.threads = integer_in(options, "threads", 0, 1024, 0);
  if (!options.contains("distributed")) {
    parsed.distributed = world_from_environment([](const char* name) { return std::getenv(name); });
  } else if (options["distributed"] != false) {
    parsed.distributed = world_from_json(options["distributed"]);
  }
  if (parsed.distributed && parsed.distributed->world_size > 1 && parsed.max_concurrent_jobs > 1) {
    reject("\"max_concurrent_jobs\" must be 1 in a distributed world: its ranks train one job at a time, in step");
  }
  return parsed;
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace ft::plugin
