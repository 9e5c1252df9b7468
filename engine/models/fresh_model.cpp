#include "engine/models/fresh_model.h"

#include "engine/core/error.h"
#include "engine/models/architecture_presets.h"
#include "engine/models/weight_initialization.h"
#include "engine/tokenizer/tokenizer_trainer.h"

#include <algorithm>

namespace ft {
namespace {

// Checked before the tokenizer is trained, which takes seconds on a large file.
void require_known_architecture(const std::string& architecture) {
  const auto names = architecture_preset_names();
  if (std::find(names.begin(), names.end(), architecture) != names.end()) return;
  std::string known;
  for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
  throw Error(ErrorKind::invalid_argument,
              "unknown architecture \"" + architecture + "\" for a model trained from scratch; known: " + known,
              "model");
}

}  // namespace

FreshModel create_fresh_model(const std::string& architecture, const std::vector<std::string>& training_texts,
                              int64_t vocab_size, uint64_t seed) {
  require_known_architecture(architecture);
  Tokenizer tokenizer(train_bpe_tokenizer(training_texts, vocab_size), "the tokenizer trained on the training texts");
  ModelConfig config = *architecture_preset(architecture, tokenizer.vocab_size());
  config.bos_token_id = tokenizer.bos_id();
  config.eos_token_id = tokenizer.eos_id();
  auto model = make_causal_lm(config);
  initialize_weights(*model, seed);
  return {std::move(model), std::move(tokenizer)};
}

}  // namespace ft
