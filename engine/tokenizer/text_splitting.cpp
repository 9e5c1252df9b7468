#include "engine/tokenizer/text_splitting.h"

#include "engine/core/error.h"
#include "engine/core/utf8_text.h"

#include <algorithm>

namespace ft {
namespace {

std::vector<TextSpan> spans_between(const std::vector<std::pair<size_t, size_t>>& matches, size_t size) {
  if (size == 0) return {{0, 0, false}};
  std::vector<TextSpan> spans;
  size_t previous = 0;
  for (const auto& [start, end] : matches) {
    if (previous != start) spans.push_back({previous, start, false});
    spans.push_back({start, end, true});
    previous = end;
  }
  if (previous != size) spans.push_back({previous, size, false});
  return spans;
}

}  // namespace

SplitBehavior parse_split_behavior(const std::string& name, const std::string& origin) {
  if (name == "Removed") return SplitBehavior::removed;
  if (name == "Isolated") return SplitBehavior::isolated;
  if (name == "MergedWithPrevious") return SplitBehavior::merged_with_previous;
  if (name == "MergedWithNext") return SplitBehavior::merged_with_next;
  if (name == "Contiguous") return SplitBehavior::contiguous;
  throw Error(ErrorKind::unsupported, origin + ": the split behavior " + quoted_excerpt(name) +
                                          " is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
}

std::vector<TextSpan> regex_spans(const RegexPattern& pattern, std::string_view text) {
  return spans_between(text.empty() ? std::vector<std::pair<size_t, size_t>>{} : pattern.find_all(text), text.size());
}

std::vector<TextSpan> literal_spans(std::string_view literal, std::string_view text) {
  if (literal.empty()) return {{0, text.size(), false}};
  std::vector<std::pair<size_t, size_t>> matches;
  for (size_t at = text.find(literal); at != std::string_view::npos; at = text.find(literal, at + literal.size())) {
    matches.emplace_back(at, at + literal.size());
  }
  return spans_between(matches, text.size());
}

void invert_spans(std::vector<TextSpan>& spans) {
  for (auto& span : spans) span.is_match = !span.is_match;
}

std::vector<std::pair<size_t, size_t>> split_ranges(const std::vector<TextSpan>& spans, SplitBehavior behavior) {
  struct Kept {
    size_t start, end;
    bool removed;
  };
  std::vector<Kept> kept;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::isolated:
      for (const auto& s : spans) kept.push_back({s.start, s.end, false});
      break;
    case SplitBehavior::removed:
      for (const auto& s : spans) kept.push_back({s.start, s.end, s.is_match});
      break;
    case SplitBehavior::contiguous:
      // Runs of matches (and runs of non-matches) become one piece each.
      for (const auto& s : spans) {
        if (s.is_match == previous_match && !kept.empty()) kept.back().end = s.end;
        else kept.push_back({s.start, s.end, false});
        previous_match = s.is_match;
      }
      break;
    case SplitBehavior::merged_with_previous:
      // A match joins the piece before it, unless that piece is a match itself.
      for (const auto& s : spans) {
        if (s.is_match && !previous_match && !kept.empty()) kept.back().end = s.end;
        else kept.push_back({s.start, s.end, false});
        previous_match = s.is_match;
      }
      break;
    case SplitBehavior::merged_with_next:
      // A match joins the piece after it, unless that piece is a match itself.
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !kept.empty()) kept.back().start = it->start;
        else kept.push_back({it->start, it->end, false});
        previous_match = it->is_match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
  }
  std::vector<std::pair<size_t, size_t>> out;
  for (const auto& k : kept) {
    if (!k.removed && k.end > k.start) out.emplace_back(k.start, k.end);
  }
  return out;
}

}  // namespace ft
