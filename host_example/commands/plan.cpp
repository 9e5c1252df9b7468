#include "commands/commands.h"
#include "job_views.h"
#include "request_builder.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host plan --model M --training-file F [--validation-file V] [--set name=value ...] [--seed N]\n"
    "             [--method auto|full|lora]\n"
    "\n"
    "Resolves every hyper-parameter without training and prints the table (name, value, auto/user,\n"
    "reason), the data statistics and the estimate. M is a Hugging Face checkpoint folder or an\n"
    "architecture preset (tiny-llama, tiny-gpt2, gpt3-small, ...). --set n_epochs=3, batch_size=8,\n"
    "learning_rate_multiplier=0.1, prompt_loss_weight=0.01 (each also \"auto\").\n"
    "--json prints exactly what ft_plan returns.\n";
}

int plan_command(const Words& words) {
  const auto a = parse_arguments(words, {"--model", "--training-file", "--validation-file", "--seed", "--suffix", "--method"}, {"--merge"});
  if (print_help_if_asked(a, help)) return 0;
  const auto request = build_request(a);
  const auto plugin = open_plugin(a);
  const std::string plan = plugin->plan(request.dump());
  if (a.json()) {
    std::cout << plan << "\n";
  } else {
    print_plan(std::cout, nlohmann::json::parse(plan));
  }
  return 0;
}

}  // namespace fthost
