// Follows a running job with a live progress line until it is final. Ctrl-C asks whether to
// cancel the job or just stop watching (on a terminal; elsewhere Ctrl-C stops watching).
#pragma once

#include "plugin_loader.h"

#include <string>

namespace fthost {

// Returns the exit code: 0 succeeded, 1 failed or cancelled, 0 when the user stopped watching.
int follow_job(const Plugin& plugin, const std::string& job_id);

}  // namespace fthost
