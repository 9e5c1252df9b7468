// The demo's data: copy a random sequence of letters ("copy: q a z f =" -> " q a z f"). Held-out
// prompts are sequences never seen in training, so only a model that learned to copy gets
// them right.
#pragma once

#include <string>
#include <vector>

namespace fthost {

struct CopyExample {
  std::string prompt, completion;
};

struct CopyTask {
  std::vector<CopyExample> training, validation, held_out;
};

CopyTask make_copy_task(int training, int validation, int held_out, unsigned seed);

// Writes examples as a prompt/completion JSON Lines file.
void write_jsonl(const std::string& path, const std::vector<CopyExample>& examples);

}  // namespace fthost
