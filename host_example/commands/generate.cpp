#include "commands/commands.h"
#include "host_error.h"
#include "request_builder.h"

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host generate --model JOB|FOLDER --prompt TEXT [--max-tokens N] [--temperature T]\n"
    "                 [--top-p P] [--seed N]\n"
    "\n"
    "Completes a prompt with a succeeded job's model or a Hugging Face checkpoint folder and\n"
    "prints the completion. Temperature 0 (greedy) by default. --json prints what ft_generate\n"
    "returns.\n";
}

int generate_command(const Words& words) {
  const auto a = parse_arguments(words, {"--model", "--prompt", "--max-tokens", "--temperature", "--top-p", "--seed"}, {});
  if (print_help_if_asked(a, help)) return 0;
  if (a.option("--model").empty()) throw HostError("--model is required (a job id or a checkpoint folder)");
  if (!a.options.count("--prompt")) throw HostError("--prompt is required");
  nlohmann::json request = {{"model", a.option("--model")}, {"prompt", a.option("--prompt")},
                            {"temperature", parse_value(a.option("--temperature", "0"))}};
  if (auto v = a.option("--max-tokens"); !v.empty()) request["max_tokens"] = parse_value(v);
  if (auto v = a.option("--top-p"); !v.empty()) request["top_p"] = parse_value(v);
  if (auto v = a.option("--seed"); !v.empty()) request["seed"] = parse_value(v);
  const auto plugin = open_plugin(a);
  const std::string out = plugin->generate(request.dump());
  if (a.json()) {
    std::cout << out << "\n";
  } else {
    std::cout << nlohmann::json::parse(out).value("text", "") << "\n";
  }
  return 0;
}

}  // namespace fthost
