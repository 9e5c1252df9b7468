#include "plugin/plugin_handle.h"

#include "plugin/api_error.h"

#include <mutex>
#include <set>

ft_plugin::ft_plugin(ft::plugin::PluginOptions options_, torch::Device device_)
    : options(std::move(options_)), device(device_) {
  auto folder = options.workspace;
  if (options.distributed && options.distributed->world_size > 1) {
    group = ft::DistributedGroup::join(*options.distributed, device);
    // Rank 0 keeps the job's records, checkpoints and model; every other rank keeps only its own
    // view of the job (job.json and the event log) in a workspace of its own beside them.
    if (group->rank() > 0) folder /= "rank-" + std::to_string(group->rank());
  }
  workspace = std::make_unique<ft::plugin::Workspace>(folder);
  jobs = std::make_unique<ft::plugin::JobManager>(*workspace, device, options.max_concurrent_jobs, group);
}

namespace ft::plugin {
namespace {

struct Registry {
  std::mutex mutex;
  std::set<const ft_plugin*> open;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_handle(ft_plugin* plugin) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().open.insert(plugin);
}

bool unregister_handle(ft_plugin* plugin) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return registry().open.erase(plugin) == 1;
}

ft_plugin& require_handle(ft_plugin* plugin, const char* function) {
  require_pointer(plugin, function, "plugin");
  std::lock_guard<std::mutex> lock(registry().mutex);
  if (!registry().open.count(plugin)) {
    throw ApiError(FT_ERR_INVALID_ARGUMENT, std::string(function) + ": the plugin handle is not open (closed already?)");
  }
  return *plugin;
}

}  // namespace ft::plugin
