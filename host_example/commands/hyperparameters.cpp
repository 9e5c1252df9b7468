#include "commands/commands.h"
#include "job_views.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host hyperparameters JOB\n"
    "\n"
    "The \"Hyper-parameters\" panel of a run: every value it used, whether the plugin chose it\n"
    "(auto) or the request set it (user), and why. --json prints what ft_job_hyperparameters returns.\n";
}

int hyperparameters_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host hyperparameters JOB");
  const auto plugin = open_plugin(a);
  const std::string text = plugin->hyperparameters(id);
  if (a.json()) {
    std::cout << text << "\n";
  } else {
    std::cout << "Hyper-parameters of " << id << "\n";
    print_hyperparameter_table(std::cout, nlohmann::json::parse(text)["hyperparameters"]);
  }
  return 0;
}

}  // namespace fthost
