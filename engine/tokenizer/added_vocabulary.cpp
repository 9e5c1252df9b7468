#include "engine/tokenizer/added_vocabulary.h"

#include "engine/tokenizer/unicode_text.h"

#include <algorithm>
#include <utf8proc.h>

namespace ft {
namespace {

// Rust regex's \w: alphabetic, marks, decimal numbers, connector punctuation (and joiners).
bool is_word_character(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  if (c == 0x200C || c == 0x200D) return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

size_t previous_character_start(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  return start;
}

bool ends_with_word(std::string_view text) {
  if (text.empty()) return false;
  size_t n;
  return is_word_character(utf8_decode_first(text.substr(previous_character_start(text, text.size())), &n));
}

bool starts_with_word(std::string_view text) {
  size_t n;
  return !text.empty() && is_word_character(utf8_decode_first(text, &n));
}

// Where the whitespace at the end of `text` begins.
size_t trailing_space_start(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    const size_t start = previous_character_start(text, end);
    size_t n;
    if (!is_rust_whitespace(utf8_decode_first(text.substr(start), &n))) break;
    end = start;
  }
  return end;
}

// How many bytes of whitespace `text` begins with.
size_t leading_space_length(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t n;
    if (!is_rust_whitespace(utf8_decode_first(text.substr(pos), &n))) break;
    pos += n;
  }
  return pos;
}

}  // namespace

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer) : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const auto& token = tokens_[i];
    if (token.content.empty()) continue;  // tokenizers ignores empty tokens
    by_id_[token.id] = i;
    by_content_[token.content] = token.id;
    std::string pattern = token.content;
    if (token.normalized && normalizer) pattern = normalizer->normalize(pattern);
    surface_[token.id] = pattern;
    if (pattern.empty()) continue;
    auto& index = token.normalized ? normalized_ : original_;
    index[static_cast<unsigned char>(pattern[0])].push_back({pattern, i});
  }
  for (auto* index : {&original_, &normalized_}) {
    for (auto& [first, patterns] : *index) {
      std::stable_sort(patterns.begin(), patterns.end(), [](const Pattern& a, const Pattern& b) { return a.text.size() > b.text.size(); });
    }
  }
}

std::vector<TextSegment> AddedVocabulary::split(std::string_view text, const PatternIndex& patterns) const {
  std::vector<TextSegment> out;
  size_t segment_start = 0;
  size_t pos = 0;
  while (pos < text.size() && !patterns.empty()) {
    // The leftmost, then longest, pattern found at or after `pos`.
    auto candidates = patterns.find(static_cast<unsigned char>(text[pos]));
    const Pattern* found = nullptr;
    if (candidates != patterns.end()) {
      for (const auto& p : candidates->second) {
        if (text.compare(pos, p.text.size(), p.text) == 0) {
          found = &p;
          break;
        }
      }
    }
    if (!found) {
      ++pos;
      continue;
    }
    const auto& token = tokens_[found->token];
    size_t start = pos, stop = pos + found->text.size();
    pos = stop;  // a match refused below is still passed over, as tokenizers' search does
    if (token.single_word) {
      const bool space_before = start == 0 || !ends_with_word(text.substr(0, start));
      const bool space_after = stop == text.size() || !starts_with_word(text.substr(stop));
      if (!space_before || !space_after) continue;
    }
    if (token.lstrip) start = std::max(trailing_space_start(text.substr(0, start)), segment_start);
    if (token.rstrip) stop += leading_space_length(text.substr(stop));
    if (segment_start < start) out.push_back({segment_start, start, -1});
    out.push_back({start, stop, token.id});
    segment_start = pos = stop;
  }
  if (segment_start < text.size()) out.push_back({segment_start, text.size(), -1});
  return out;
}

std::optional<int64_t> AddedVocabulary::id_of(const std::string& content) const {
  auto it = by_content_.find(content);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::token_of(int64_t id) const {
  auto it = surface_.find(id);
  return it == surface_.end() ? nullptr : &it->second;
}

bool AddedVocabulary::is_special(int64_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && tokens_[it->second].special;
}

}  // namespace ft
