// Sentencepiece's text normalization: the precompiled character map (for example NFKC, stored
// as a double-array trie of byte sequences and their replacements), then the whitespace rules:
// drop leading, trailing and repeated spaces, add a leading "▁", and write spaces as "▁".
#pragma once

#include "engine/tokenizer/sentencepiece_model.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ft {

class TextNormalizer {
 public:
  // Throws ft::Error(invalid_input) prefixed with `origin` if the character map is malformed.
  TextNormalizer(const SentencePieceModel& model, const std::string& origin);

  std::string normalize(std::string_view text) const;

  // The replacement of the shortest prefix of `chunk` that the character map holds, if any:
  // how the Hugging Face tokenizers library's Precompiled normalizer reads the same map.
  std::optional<std::string_view> shortest_prefix_replacement(std::string_view chunk) const;

 private:
  // The replacement for the longest mapped prefix of `text` and the bytes it consumes; without
  // a mapping, the first UTF-8 character as is (an invalid byte becomes U+FFFD).
  std::pair<std::string_view, size_t> normalize_prefix(std::string_view text) const;
  // Byte length of the longest prefix of `text` in the trie and the replacement's offset.
  std::pair<size_t, uint32_t> longest_match(std::string_view text) const;
  // The same walk, stopping at the first prefix found; (0, 0) when none.
  std::pair<size_t, uint32_t> shortest_match(std::string_view text) const;
  std::pair<size_t, uint32_t> match(std::string_view text, bool shortest) const;

  std::vector<uint32_t> trie_;
  std::string replacements_;
  bool add_dummy_prefix_, remove_extra_whitespaces_, escape_whitespaces_;
};

// Length of the valid UTF-8 character at the start of `text`, or 0 if it is not valid UTF-8.
size_t utf8_char_length(std::string_view text);

}  // namespace ft
