// The engine's tokenizer: text to token ids and back, whichever files a model folder ships:
//   tokenizer.json               Hugging Face tokenizers (Llama 3, Qwen, SmolLM2, GPT-2 as published)
//   tokenizer.model              sentencepiece BPE (Llama 2, Mistral, TinyLlama, models trained here)
//   vocab.json + merges.txt      the older GPT-2 pair
// encode() never adds special tokens: the data template places BOS and EOS itself.
#pragma once

#include "engine/tokenizer/hf_tokenizer_folder.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ft {

class Tokenizer {
 public:
  // tokenizer.json when the folder has one, else tokenizer.model, else vocab.json + merges.txt.
  // Throws ft::Error(not_found) naming the folder when it has none of them, and whatever the
  // chosen file's reader throws.
  static Tokenizer load_folder(const std::filesystem::path& folder);
  // A sentencepiece tokenizer.model on its own.
  static Tokenizer load(const std::filesystem::path& tokenizer_model);
  // From a parsed sentencepiece model; `origin` names it in errors.
  Tokenizer(SentencePieceModel model, const std::string& origin);

  std::vector<int64_t> encode(const std::string& text) const;
  std::vector<std::string> pieces(const std::string& text) const;
  // Special tokens decode to nothing.
  std::string decode(const std::vector<int64_t>& ids) const;

  int64_t vocab_size() const;
  int64_t bos_id() const;  // -1 when the tokenizer has none
  int64_t eos_id() const;
  int64_t unk_id() const;
  int64_t pad_id() const;
  // Throws ft::Error(invalid_argument) for an id outside the vocabulary.
  const std::string& piece(int64_t id) const;

  // The sentencepiece model; throws ft::Error(unsupported) for a Hugging Face tokenizer.
  const SentencePieceModel& model() const;
  bool is_sentencepiece() const { return sentencepiece_ != nullptr; }
  // The Hugging Face tokenizer, or nullptr for a sentencepiece one.
  const HfTokenizer* hugging_face() const { return hugging_face_.tokenizer.get(); }

  // Writes the tokenizer's files into `folder`: for sentencepiece tokenizer.model and the
  // tokenizer.json + tokenizer_config.json that make AutoTokenizer agree with it; for a Hugging
  // Face tokenizer the files it was read from, byte for byte.
  void save(const std::filesystem::path& folder, int64_t model_max_length) const;

 private:
  Tokenizer() = default;

  std::shared_ptr<const SentencePieceTokenizer> sentencepiece_;
  HfTokenizerFolder hugging_face_;
};

}  // namespace ft
