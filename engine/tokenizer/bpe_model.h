// The BPE model of Hugging Face tokenizer.json files (and of vocab.json + merges.txt): a word
// starts as its characters (unknown ones as byte tokens <0xXX> or the unknown token) and
// adjacent symbols merge by rank, lowest first, leftmost on ties. Results are cached per word.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ft {

struct BpeOptions {
  std::optional<std::string> unk_token;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;  // a word that is itself in the vocabulary is one token
};

class BpeModel {
 public:
  // Throws ft::Error(invalid_input) naming `origin` when a merge names a symbol, or makes a
  // token, outside the vocabulary.
  BpeModel(std::unordered_map<std::string, int64_t> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
           BpeOptions options, const std::string& origin);
  BpeModel(BpeModel&& other) noexcept;

  // Appends the ids of `word` (a pre-token) to `ids`.
  void tokenize(std::string_view word, std::vector<int64_t>& ids) const;

  std::optional<int64_t> id_of(const std::string& token) const;
  const std::string* token_of(int64_t id) const;  // nullptr outside the vocabulary
  int64_t vocab_size() const { return static_cast<int64_t>(tokens_.size()); }

 private:
  std::vector<int64_t> merge_word(std::string_view word) const;

  std::unordered_map<std::string, int64_t> vocab_;
  std::vector<std::string> tokens_;  // by id; empty where no token has that id
  struct MergeResult {
    uint32_t rank;
    int64_t id;
  };
  std::unordered_map<uint64_t, MergeResult> merges_;  // (left id << 32 | right id) -> merge
  BpeOptions options_;
  std::optional<int64_t> unk_id_;
  std::vector<int64_t> byte_ids_;  // <0xXX> tokens, when byte_fallback and all 256 exist

  static constexpr size_t kCacheCapacity = 10000;  // words; as tokenizers' default
  static constexpr size_t kCacheableLength = 256;  // bytes
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
};

}  // namespace ft
