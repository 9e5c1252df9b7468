// A sentencepiece BPE tokenizer (tokenizer.model, as Llama, Mistral and TinyLlama ship it):
// normalization, byte-pair merges by piece score, byte fallback, and decoding back to text.
#pragma once

#include "engine/tokenizer/sentencepiece_model.h"
#include "engine/tokenizer/text_normalizer.h"

#include <array>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace ft {

class SentencePieceTokenizer {
 public:
  // Throws ft::Error naming the file: not_found, invalid_input when it is not a sentencepiece
  // model, unsupported when it is not BPE.
  static SentencePieceTokenizer load(const std::filesystem::path& tokenizer_model);
  // From a parsed model; `origin` names it in errors.
  SentencePieceTokenizer(SentencePieceModel model, const std::string& origin);

  std::vector<int64_t> encode(const std::string& text) const;
  std::vector<std::string> pieces(const std::string& text) const;
  // Control tokens (BOS, EOS) decode to nothing, the unknown token to " ⁇ ".
  std::string decode(const std::vector<int64_t>& ids) const;

  int64_t vocab_size() const { return static_cast<int64_t>(model_.pieces.size()); }
  int64_t bos_id() const { return model_.bos_id; }  // -1 when the model has none
  int64_t eos_id() const { return model_.eos_id; }
  int64_t unk_id() const { return model_.unk_id; }
  int64_t pad_id() const { return model_.pad_id; }
  const std::string& piece(int64_t id) const;
  const SentencePieceModel& model() const { return model_; }

  // Writes tokenizer.model (the original bytes when loaded from a file).
  void save(const std::filesystem::path& tokenizer_model) const;

 private:
  // The ids of the BPE segmentation of already normalized text.
  std::vector<int64_t> segment(std::string_view normalized) const;
  int64_t id_of(std::string_view piece) const;  // -1 when not a piece
  const SentencePiece& entry(int64_t id) const;  // throws invalid_argument outside the vocabulary

  SentencePieceModel model_;
  std::string serialized_;
  TextNormalizer normalizer_;
  std::unordered_map<std::string, int64_t> mergeable_;  // normal and user-defined pieces
  std::unordered_map<std::string, int64_t> reserved_;   // control, unknown and byte pieces
  std::array<int64_t, 256> byte_ids_;                   // -1 where the model has no <0xXX> piece
};

}  // namespace ft
