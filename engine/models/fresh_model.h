// A model trained from scratch rather than fine-tuned: a named architecture, a tokenizer trained
// on the training texts, and weights initialised as transformers would initialise them.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ft {

struct FreshModel {
  std::shared_ptr<CausalLM> model;
  Tokenizer tokenizer;
};

// The architecture_preset named `architecture`, its embedding sized to a BPE tokenizer trained on
// `training_texts` with at most `vocab_size` pieces (fewer when the texts hold fewer merges) and
// its BOS and EOS ids, its weights drawn by initialize_weights with `seed`.
// Throws ft::Error(invalid_argument, param "model") for an unknown architecture, naming the known
// ones, and train_bpe_tokenizer's errors for texts or a vocab_size it cannot train on.
FreshModel create_fresh_model(const std::string& architecture, const std::vector<std::string>& training_texts,
                              int64_t vocab_size, uint64_t seed);

}  // namespace ft
