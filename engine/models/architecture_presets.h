// Named architectures a model can be trained from scratch with: the GPT-3 family of Brown et al.
// 2020 (Table 2.1), two tiny models for tests and the demo, and two small Llamas (2.4M and 11.3M
// parameters) for the hyper-parameter benchmark's bases.
#pragma once

#include "engine/formats/model_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

// GPT-2's byte-level BPE vocabulary, which GPT-3 kept; Table 2.1's parameter counts include it.
inline constexpr int64_t gpt3_vocab_size = 50257;

// The config of the named architecture with `vocab_size` rows in its embedding, or nullopt for an
// unknown name. Every preset takes the vocabulary size, GPT-3 ones included, because a model
// trained from scratch gets the tokenizer trained on its data: an embedding smaller than that
// tokenizer would index out of range, and a larger one would carry rows no token ever uses. Pass
// gpt3_vocab_size to get GPT-3 exactly as the paper counted it.
// Throws ft::Error(invalid_argument, param "vocab_size") when vocab_size is not positive.
std::optional<ModelConfig> architecture_preset(const std::string& name, int64_t vocab_size);

// Every name architecture_preset accepts, smallest GPT-3 first, then the tiny and the small ones.
std::vector<std::string> architecture_preset_names();

}  // namespace ft
