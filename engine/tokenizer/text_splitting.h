// Splitting a string on a pattern the way the Hugging Face tokenizers library does
// (NormalizedString::split): the text is cut into spans that match the pattern and spans that do
// not, then a delimiter behavior decides what becomes of the matches.
#pragma once

#include "engine/tokenizer/regex_pattern.h"
#include "engine/tokenizer/unicode_text.h"

#include <string>
#include <string_view>
#include <vector>

namespace ft {

struct TextSpan {
  size_t start, end;
  bool is_match;
};

// tokenizers' SplitDelimiterBehavior.
enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

// "Removed", "Isolated", ...; throws ft::Error(unsupported) naming `origin` for any other name.
SplitBehavior parse_split_behavior(const std::string& name, const std::string& origin);

// The text cut at every match of the pattern (an empty text is one empty non-match).
std::vector<TextSpan> regex_spans(const RegexPattern& pattern, std::string_view text);
std::vector<TextSpan> literal_spans(std::string_view literal, std::string_view text);
// Every character for which `is_delimiter` holds is a match of its own.
template <typename Predicate>
std::vector<TextSpan> character_spans(std::string_view text, Predicate is_delimiter);

// Matches become non-matches and the other way round (tokenizers' Invert).
void invert_spans(std::vector<TextSpan>& spans);

// The byte ranges kept once `behavior` has merged or removed the matches; empty ones dropped.
std::vector<std::pair<size_t, size_t>> split_ranges(const std::vector<TextSpan>& spans, SplitBehavior behavior);

template <typename Predicate>
std::vector<TextSpan> character_spans(std::string_view text, Predicate is_delimiter) {
  if (text.empty()) return {{0, 0, false}};
  std::vector<TextSpan> spans;
  size_t last = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t n;
    const char32_t c = utf8_decode_first(text.substr(pos), &n);
    if (is_delimiter(c)) {
      if (last < pos) spans.push_back({last, pos, false});
      spans.push_back({pos, pos + n, true});
      last = pos + n;
    }
    pos += n;
  }
  if (last < text.size()) spans.push_back({last, text.size(), false});
  return spans;
}

}  // namespace ft
