// Completing a prompt with a model: the prompt is laid out as training laid it out
// ([BOS] + encode(prompt), see example_template.h), then tokens are sampled one at a time until
// EOS or max_tokens.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"

#include <string>

namespace ft {

struct GenerationOptions {
  int64_t max_tokens = 128;
  double temperature = 1.0;  // 0: always the most likely token
  double top_p = 1.0;        // nucleus sampling: the smallest set of tokens holding this much probability
  uint64_t seed = 0;
  bool add_bos = true;  // false when the prompt already starts with it (a chat template wrote it)
};

struct GenerationResult {
  std::string text;
  std::vector<int64_t> tokens;  // the generated ids, EOS excluded
  std::string finish_reason;    // "stop" (EOS) or "length"
};

GenerationResult generate_text(CausalLM& model, const Tokenizer& tokenizer, const std::string& prompt,
                               const GenerationOptions& options);

}  // namespace ft
