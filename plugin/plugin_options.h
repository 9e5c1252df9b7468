// ft_open's options document: {"workspace", "device", "max_concurrent_jobs", "threads",
// "distributed"}.
#pragma once

#include "engine/distributed/distributed_world.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace ft::plugin {

struct PluginOptions {
  std::filesystem::path workspace;
  std::string device = "auto";  // "auto", "cpu", "cuda", "cuda:N"
  int max_concurrent_jobs = 1;
  int threads = 0;  // 0: one per core available to the process
  // The data-parallel world this process is a rank of: the option's object, else (when the
  // option is absent) the environment's RANK, WORLD_SIZE, ...; false turns both off.
  std::optional<DistributedWorld> distributed;
};

// Throws ApiError(FT_ERR_INVALID_ARGUMENT) naming the key for a missing workspace, an unknown
// key, a wrong type or a value out of range.
PluginOptions parse_plugin_options(const nlohmann::json& options);

// The CPU cores this process may run on (its affinity mask), at least 1.
int available_cores();

}  // namespace ft::plugin
