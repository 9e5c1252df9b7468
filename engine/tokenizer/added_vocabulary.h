// The added tokens of a Hugging Face tokenizer (tokenizer.json's "added_tokens"): found in the
// text before the model sees it, so that "<|endoftext|>" inside a text is that one token. Tokens
// with normalized=false are found in the original text, the others in the normalized text;
// lstrip and rstrip take the whitespace beside a token into it, single_word finds a token only
// between non-word characters. Special tokens are left out when decoding.
#pragma once

#include "engine/tokenizer/normalizers.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ft {

struct AddedToken {
  int64_t id = -1;
  std::string content;
  bool single_word = false, lstrip = false, rstrip = false, normalized = false, special = false;
};

// A run of text between added tokens, or one added token (token_id >= 0).
struct TextSegment {
  size_t start, end;  // bytes of the text that was searched
  int64_t token_id = -1;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  // `normalizer` (may be null) gives the normalized form that normalized tokens are found in.
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  // The text cut at the tokens with normalized=false, or those with normalized=true.
  std::vector<TextSegment> split_original(std::string_view text) const { return split(text, original_); }
  std::vector<TextSegment> split_normalized(std::string_view text) const { return split(text, normalized_); }

  std::optional<int64_t> id_of(const std::string& content) const;
  // The token's text as decoding sees it (its normalized form for a normalized token).
  const std::string* token_of(int64_t id) const;
  bool is_special(int64_t id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct Pattern {
    std::string text;
    size_t token;  // index into tokens_
  };
  // Patterns by first byte, longest first.
  using PatternIndex = std::unordered_map<unsigned char, std::vector<Pattern>>;
  std::vector<TextSegment> split(std::string_view text, const PatternIndex& patterns) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<int64_t, size_t> by_id_;
  std::unordered_map<std::string, int64_t> by_content_;
  std::unordered_map<int64_t, std::string> surface_;  // id -> the text decoding shows
  PatternIndex original_, normalized_;
};

}  // namespace ft
