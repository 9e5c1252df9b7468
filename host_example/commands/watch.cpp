#include "commands/commands.h"
#include "job_follower.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host watch JOB\n"
    "\n"
    "Follows a job until it ends: a live progress line on a terminal (bar, percent, step/total,\n"
    "epoch, loss, tokens/s, ETA), plain lines every few seconds otherwise. Ctrl-C asks whether\n"
    "to cancel the job or stop watching. Exit code: 0 succeeded, 1 failed or cancelled.\n"
    "(A job trains in the ft-host process that started it; watching it from another process\n"
    "needs that process to have ended, as the workspace is open in one process at a time.)\n";
}

int watch_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host watch JOB");
  const auto plugin = open_plugin(a);
  return follow_job(*plugin, id);
}

}  // namespace fthost
