// ft_job_progress's typed snapshot as a JSON object, for the API and the event streams:
// {"status": "running", "step", "total_steps", "epoch", "n_epochs", "train_loss",
//  "tokens_per_second", "elapsed_seconds", "eta_seconds"}, with null where the struct says -1
// (not known yet).
#pragma once

#include "plugin_loader.h"

#include <nlohmann/json.hpp>

namespace fthost {

nlohmann::json progress_document(const Plugin& plugin, const ft_progress& progress);

}  // namespace fthost
