// The object behind an ft_plugin handle, and the registry of open handles that lets every entry
// point refuse a NULL or closed handle with FT_ERR_INVALID_ARGUMENT instead of touching freed
// memory.
#pragma once

#include "engine/distributed/distributed_group.h"
#include "plugin/job_manager.h"
#include "plugin/plugin_options.h"
#include "plugin/resident_model.h"
#include "plugin/workspace.h"

#include <finetune/finetune.h>
#include <torch/torch.h>

#include <memory>

struct ft_plugin {
  ft_plugin(ft::plugin::PluginOptions options, torch::Device device);

  ft::plugin::PluginOptions options;
  torch::Device device;
  // This process's place in a data-parallel world (null: it trains alone); before the jobs,
  // which use it until they are closed.
  std::shared_ptr<ft::DistributedGroup> group;
  std::unique_ptr<ft::plugin::Workspace> workspace;  // holds the lock
  std::unique_ptr<ft::plugin::JobManager> jobs;      // declared after: closed before the lock goes
  ft::plugin::ResidentModel generation_model;         // ft_generate's last model, released by ft_close
};

namespace ft::plugin {

void register_handle(ft_plugin* plugin);
// False when `plugin` was not open (never opened, or closed already).
bool unregister_handle(ft_plugin* plugin);
// `plugin` when it is open; ApiError(FT_ERR_INVALID_ARGUMENT) naming `function` otherwise.
ft_plugin& require_handle(ft_plugin* plugin, const char* function);

}  // namespace ft::plugin
