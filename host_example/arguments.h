// The command line of one subcommand: positional words, --name value options, repeated --set,
// and flags. Options common to every subcommand (--workspace, --plugin, --json, --help) are
// read here too.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace fthost {

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--model" -> "x"
  std::vector<std::string> sets;               // every --set name=value, in order
  std::set<std::string> flags;                 // "--json", "--detach", "--help"

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string option(const std::string& name, const std::string& fallback = "") const;
  bool json() const { return has("--json"); }
  // The one positional argument JOB, or HostError naming the usage.
  std::string job_id(const std::string& usage) const;
};

// Parses argv after the subcommand. `valued` lists the options that take a value; `flags` the
// ones that do not. Anything else is a HostError (bad usage).
Arguments parse_arguments(const std::vector<std::string>& words, const std::set<std::string>& valued,
                          const std::set<std::string>& flags);

// The workspace: --workspace, else $XDG_DATA_HOME/finetune, else ~/.local/share/finetune.
std::string workspace_folder(const Arguments& arguments);

}  // namespace fthost
