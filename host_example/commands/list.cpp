#include "commands/commands.h"
#include "job_views.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host list\n"
    "\n"
    "The \"Trainings\" view: every job of the workspace, newest first: id, model, status, created,\n"
    "trained tokens, final train and validation loss. --json prints what ft_job_list returns.\n";
}

int list_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const auto plugin = open_plugin(a);
  const std::string list = plugin->list();
  if (a.json()) {
    std::cout << list << "\n";
  } else {
    std::cout << "Trainings\n";
    print_trainings(std::cout, nlohmann::json::parse(list));
  }
  return 0;
}

}  // namespace fthost
