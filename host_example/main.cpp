// ft-host: an example host of the finetune plugin. It loads libfinetune.so with dlopen, checks
// the ABI version, resolves every function through ft_get_api, and drives fine-tunes from the
// command line. See docs/ft-host.md.
#include "commands/commands.h"
#include "host_error.h"

#include <exception>
#include <iostream>
#include <map>

namespace {

const char* usage =
    "ft-host: fine-tune language models with the finetune plugin (libfinetune.so)\n"
    "\n"
    "Usage: ft-host COMMAND [options]   (ft-host COMMAND --help for each)\n"
    "\n"
    "Commands:\n"
    "  plan             resolve every hyper-parameter (with reasons) without training\n"
    "  start            start a fine-tuning job and follow its progress\n"
    "  list             the Trainings list of the workspace\n"
    "  show JOB         one job, with its loss curves\n"
    "  hyperparameters JOB   the Hyper-parameters panel of a run\n"
    "  watch JOB        follow a job with a live progress line\n"
    "  events JOB       the job's event log\n"
    "  cancel JOB       stop a job\n"
    "  resume JOB       continue a cancelled or interrupted job\n"
    "  generate         complete a prompt with a fine-tuned model or a checkpoint folder\n"
    "  plot JOB -o F    write an SVG chart of the losses and learning rate\n"
    "  demo             a complete fine-tune of a tiny model on a toy task, in about a minute\n"
    "  serve            a web app in your browser: Trainings, jobs with live charts, New fine-tune, Playground\n"
    "\n"
    "Exit codes: 0 success, 1 the job failed or was cancelled, 2 bad usage or input.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace fthost;
  const std::map<std::string, int (*)(const Words&)> commands = {
      {"plan", plan_command},       {"start", start_command},   {"list", list_command},
      {"show", show_command},       {"hyperparameters", hyperparameters_command},
      {"watch", watch_command},     {"events", events_command}, {"cancel", cancel_command},
      {"resume", resume_command},   {"generate", generate_command}, {"plot", plot_command},
      {"demo", demo_command},       {"serve", serve_command}};
  if (argc < 2) {
    std::cerr << usage;
    return exit_usage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    std::cout << usage << "\n" << common_options_help;
    return exit_ok;
  }
  const auto command = commands.find(name);
  if (command == commands.end()) {
    std::cerr << "ft-host: unknown command \"" << name << "\" (ft-host --help lists them)\n";
    return exit_usage;
  }
  try {
    return command->second(Words(argv + 2, argv + argc));
  } catch (const HostError& e) {
    std::cerr << "ft-host " << name << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "ft-host " << name << ": " << e.what() << "\n";
    return exit_usage;
  }
}
