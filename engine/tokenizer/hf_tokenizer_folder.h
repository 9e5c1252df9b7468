// A model folder's Hugging Face tokenizer: tokenizer.json, or vocab.json + merges.txt, with the
// special tokens that tokenizer_config.json (or special_tokens_map.json) names, config.json's
// bos/eos ids as a fallback, and the original files kept so that saving writes them back
// byte for byte.
#pragma once

#include "engine/tokenizer/hf_tokenizer.h"

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

struct HfTokenizerFolder {
  std::shared_ptr<const HfTokenizer> tokenizer;
  int64_t bos_id = -1, eos_id = -1, unk_id = -1, pad_id = -1;  // -1: none
  std::vector<std::pair<std::string, std::string>> files;        // file name, original bytes
};

// Reads tokenizer.json when the folder has one, else vocab.json + merges.txt.
HfTokenizerFolder read_hf_tokenizer_folder(const std::filesystem::path& folder);

// Writes the original files into `folder`, atomically.
void write_hf_tokenizer_folder(const HfTokenizerFolder& tokenizer, const std::filesystem::path& folder);

}  // namespace ft
