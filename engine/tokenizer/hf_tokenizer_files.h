// The files transformers' AutoTokenizer reads beside tokenizer.model, written so that it gives
// exactly the engine's (and sentencepiece's) ids:
//   tokenizer.json         the sentencepiece BPE model in the Hugging Face tokenizers format:
//                          its vocabulary, merges ranked by piece score, byte fallback, and the
//                          sentencepiece normalizer (character map, whitespace rules, dummy prefix)
//                          spelled as tokenizers normalizers; BOS added in front, as the engine's
//                          data template does
//   tokenizer_config.json  the class that loads tokenizer.json as it is, and the special tokens
// transformers' own reading of a bare tokenizer.model (LlamaTokenizer) ignores the model's
// normalizer, so whitespace runs and NFKC forms would tokenize differently from training.
#pragma once

#include "engine/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ft {

nlohmann::json hf_tokenizer_json(const Tokenizer& tokenizer);
nlohmann::json hf_tokenizer_config_json(const Tokenizer& tokenizer, int64_t model_max_length);

// Writes both into `folder`, atomically.
void write_hf_tokenizer_files(const std::filesystem::path& folder, const Tokenizer& tokenizer, int64_t model_max_length);

}  // namespace ft
