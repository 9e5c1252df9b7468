#include "copy_task.h"

#include "host_error.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace fthost {

CopyTask make_copy_task(int training, int validation, int held_out, unsigned seed) {
  std::mt19937 random(seed);
  std::set<std::string> seen;
  CopyTask task;
  while (int(task.training.size() + task.validation.size() + task.held_out.size()) < training + validation + held_out) {
    std::string letters;
    for (int i = 0; i < 4; ++i) letters += std::string(i ? " " : "") + char('a' + random() % 8);
    if (!seen.insert(letters).second) continue;  // every sequence appears once, in one set only
    CopyExample e{"copy: " + letters + " =", " " + letters};
    if (int(task.training.size()) < training) task.training.push_back(e);
    else if (int(task.validation.size()) < validation) task.validation.push_back(e);
    else task.held_out.push_back(e);
  }
  return task;
}

void write_jsonl(const std::string& path, const std::vector<CopyExample>& examples) {
  std::ofstream out(path);
  for (const auto& e : examples) out << nlohmann::json{{"prompt", e.prompt}, {"completion", e.completion}}.dump() << "\n";
  if (!out) throw HostError("cannot write " + path);
}

}  // namespace fthost
