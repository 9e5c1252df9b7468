#include "commands/commands.h"

#include <iostream>

namespace fthost {

const char* common_options_help =
    "Common options:\n"
    "  --workspace DIR   where jobs live (default: $XDG_DATA_HOME/finetune, else ~/.local/share/finetune)\n"
    "  --plugin PATH     libfinetune.so to load (default: $FT_PLUGIN, else the one beside ft-host)\n"
    "  --json            print the plugin's JSON as is instead of the human view\n"
    "  --help            this help\n";

std::unique_ptr<Plugin> open_plugin(const Arguments& arguments) {
  return std::make_unique<Plugin>(find_plugin_path(arguments.option("--plugin")), workspace_folder(arguments));
}

bool print_help_if_asked(const Arguments& arguments, const char* help) {
  if (!arguments.has("--help")) return false;
  std::cout << help << "\n" << common_options_help;
  return true;
}

}  // namespace fthost
