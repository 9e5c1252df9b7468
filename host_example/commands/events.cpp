#include "commands/commands.h"
#include "job_views.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host events JOB [--after SEQ] [--metrics]\n"
    "\n"
    "The job's event log, oldest first: status changes, warnings, errors; with --metrics also\n"
    "the metrics event of every step. --json prints what ft_job_events returns (one page, from\n"
    "--after, default 0).\n";
}

int events_command(const Words& words) {
  const auto a = parse_arguments(words, {"--after"}, {"--metrics"});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host events JOB");
  const auto plugin = open_plugin(a);
  if (a.json()) {
    std::cout << plugin->events(id, std::stoull(a.option("--after", "0"))) << "\n";
    return 0;
  }
  for (const auto& e : plugin->all_events(id)) {
    if (e.value("type", "") == "metrics" && !a.has("--metrics")) continue;
    std::cout << e["seq"].get<long long>() << "  " << time_text(e["created_at"]) << "  " << e.value("level", "") << "  "
              << e.value("message", "") << "\n";
  }
  return 0;
}

}  // namespace fthost
