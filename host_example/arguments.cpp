#include "arguments.h"

#include "host_error.h"

#include <cstdlib>

namespace fthost {

std::string Arguments::option(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::string Arguments::job_id(const std::string& usage) const {
  if (positional.size() != 1) throw HostError("expected one job id; usage: " + usage);
  return positional[0];
}

Arguments parse_arguments(const std::vector<std::string>& words, const std::set<std::string>& valued,
                          const std::set<std::string>& flags) {
  Arguments a;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word = words[i], value;
    bool inline_value = false;
    if (word.rfind("--", 0) == 0 && word.find('=') != std::string::npos && word != "--set") {
      const auto eq = word.find('=');
      value = word.substr(eq + 1);
      word = word.substr(0, eq);
      inline_value = true;
    }
    const bool common_valued = word == "--workspace" || word == "--plugin";
    const bool common_flag = word == "--json" || word == "--help" || word == "-h";
    if (word == "--set" || valued.count(word) || common_valued) {
      if (!inline_value) {
        if (i + 1 >= words.size()) throw HostError(word + " needs a value");
        value = words[++i];
      }
      if (word == "--set") {
        a.sets.push_back(value);
      } else {
        a.options[word] = value;
      }
    } else if (flags.count(word) || common_flag) {
      a.flags.insert(word == "-h" ? "--help" : word);
    } else if (word.size() > 1 && word[0] == '-') {
      throw HostError("unknown option " + word + " (see --help)");
    } else {
      a.positional.push_back(word);
    }
  }
  return a;
}

std::string workspace_folder(const Arguments& arguments) {
  if (auto w = arguments.option("--workspace"); !w.empty()) return w;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/finetune";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/finetune";
  return ".finetune";
}

}  // namespace fthost
