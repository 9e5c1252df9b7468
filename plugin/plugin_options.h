// ft_open's options document: {"workspace", "device", "max_concurrent_jobs", "threads"}.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace ft::plugin {

struct PluginOptions {
  std::filesystem::path workspace;
  std::string device = "auto";  // "auto", "cpu", "cuda", "cuda:N"
  int max_concurrent_jobs = 1;
  int threads = 0;  // 0: one per core available to the process
};

// Throws ApiError(FT_ERR_INVALID_ARGUMENT) naming the key for a missing workspace, an unknown
// key, a wrong type or a value out of range.
PluginOptions parse_plugin_options(const nlohmann::json& options);

// The CPU cores this process may run on (its affinity mask), at least 1.
int available_cores();

}  // namespace ft::plugin
