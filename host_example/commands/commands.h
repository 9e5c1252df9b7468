// The subcommands of ft-host. Each takes the words after its name and returns the exit code;
// failures throw HostError (exit code 2 unless it says otherwise).
#pragma once

#include "arguments.h"
#include "plugin_loader.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace fthost {

using Words = std::vector<std::string>;

int plan_command(const Words& words);
int start_command(const Words& words);
int list_command(const Words& words);
int show_command(const Words& words);
int hyperparameters_command(const Words& words);
int watch_command(const Words& words);
int events_command(const Words& words);
int cancel_command(const Words& words);
int resume_command(const Words& words);
int generate_command(const Words& words);
int plot_command(const Words& words);
int demo_command(const Words& words);
int serve_command(const Words& words);

// Loads the plugin named by --plugin / FT_PLUGIN / beside the executable and opens the workspace.
std::unique_ptr<Plugin> open_plugin(const Arguments& arguments);

// The help text shared by every command for its common options.
extern const char* common_options_help;

// Prints `help` and returns true when --help was given.
bool print_help_if_asked(const Arguments& arguments, const char* help);

}  // namespace fthost
