// Reading Hugging Face tokenizer files into an HfTokenizer:
//   tokenizer.json           the tokenizers library's own format: a BPE model, added tokens,
//                            normalizer, pre-tokenizer, decoder and post-processor
//   vocab.json + merges.txt  the older GPT-2 pair: byte-level BPE
// Every component the engine does not implement is refused with an ft::Error(unsupported) that
// names it and the file, never approximated.
#pragma once

#include "engine/tokenizer/hf_tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace ft {

// Throws ft::Error: not_found, invalid_input (malformed JSON, a missing or mistyped field, a
// merge outside the vocabulary) or unsupported (a component or model type), naming the file.
HfTokenizer read_tokenizer_json(const std::filesystem::path& tokenizer_json);
HfTokenizer parse_tokenizer_json(const nlohmann::json& document, const std::string& origin);

HfTokenizer read_vocab_and_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt,
                                  std::vector<AddedToken> added_tokens = {});

}  // namespace ft
