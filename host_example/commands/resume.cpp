#include "commands/commands.h"
#include "host_error.h"
#include "job_follower.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host resume JOB [--detach]\n"
    "\n"
    "Continues a cancelled or interrupted job from its newest checkpoint and follows it like\n"
    "`watch`. Exit code: 0 succeeded, 1 failed or cancelled, 2 the job cannot be resumed.\n";
}

int resume_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {"--detach"});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host resume JOB");
  const auto plugin = open_plugin(a);
  const std::string job = plugin->resume(id);
  if (a.json()) {
    std::cout << job << "\n" << std::flush;
    ft_job_status status = FT_JOB_FAILED;
    plugin->wait(id, -1, &status);
    return status == FT_JOB_SUCCEEDED ? exit_ok : exit_job_failed;
  }
  std::cout << "Resumed " << id << "\n";
  return follow_job(*plugin, id);
}

}  // namespace fthost
