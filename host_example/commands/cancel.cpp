#include "commands/commands.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host cancel JOB\n"
    "\n"
    "Asks a job to stop; it ends \"cancelled\" and keeps its files, and can be resumed.\n"
    "Cancelling a job that already succeeded or failed is refused (exit code 2).\n";
}

int cancel_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host cancel JOB");
  const auto plugin = open_plugin(a);
  plugin->cancel(id);
  ft_job_status status;
  plugin->wait(id, -1, &status);
  if (a.json()) {
    std::cout << plugin->get(id) << "\n";
  } else {
    std::cout << id << " is " << plugin->api().ft_job_status_name(status) << "\n";
  }
  return 0;
}

}  // namespace fthost
