#include "engine/tokenizer/text_normalizer.h"

#include "engine/core/error.h"

#include <cstring>

namespace ft {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The fields of one double-array unit (the darts-clone layout sentencepiece stores).
bool unit_has_leaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t unit_value(uint32_t unit) { return unit & ((1u << 31) - 1); }
uint32_t unit_label(uint32_t unit) { return unit & ((1u << 31) | 0xff); }
uint32_t unit_offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

}  // namespace

size_t utf8_char_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b0 = static_cast<uint8_t>(s[0]);
  if (b0 < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((b0 & 0xe0) == 0xc0) n = 2, cp = b0 & 0x1f;
  else if ((b0 & 0xf0) == 0xe0) n = 3, cp = b0 & 0x0f;
  else if ((b0 & 0xf8) == 0xf0) n = 4, cp = b0 & 0x07;
  else return 0;
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    const auto b = static_cast<uint8_t>(s[i]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;  // overlong, range, surrogate
  return n;
}

TextNormalizer::TextNormalizer(const SentencePieceModel& model, const std::string& origin)
    : add_dummy_prefix_(model.add_dummy_prefix),
      remove_extra_whitespaces_(model.remove_extra_whitespaces),
      escape_whitespaces_(model.escape_whitespaces) {
  const auto& blob = model.precompiled_charsmap;
  if (blob.empty()) return;
  uint32_t trie_bytes = 0;
  if (blob.size() >= 4) std::memcpy(&trie_bytes, blob.data(), 4);
  if (blob.size() < 4 || trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4) {
    throw Error(ErrorKind::invalid_input, origin + ": the normalizer's character map is malformed");
  }
  trie_.resize(trie_bytes / 4);
  if (trie_bytes > 0) std::memcpy(trie_.data(), blob.data() + 4, trie_bytes);  // memcpy from null is undefined
  replacements_ = blob.substr(4 + trie_bytes);
}

std::pair<size_t, uint32_t> TextNormalizer::longest_match(std::string_view text) const { return match(text, false); }
std::pair<size_t, uint32_t> TextNormalizer::shortest_match(std::string_view text) const { return match(text, true); }

std::pair<size_t, uint32_t> TextNormalizer::match(std::string_view text, bool shortest) const {
  size_t best_length = 0;
  uint32_t best_value = 0;
  if (trie_.empty()) return {0, 0};
  size_t node = unit_offset(trie_[0]);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto label = static_cast<uint8_t>(text[i]);
    node ^= label;
    if (node >= trie_.size()) break;  // a malformed map must not send us outside the array
    const uint32_t unit = trie_[node];
    if (unit_label(unit) != label) break;
    node ^= unit_offset(unit);
    if (node >= trie_.size()) break;
    if (unit_has_leaf(unit)) {
      best_length = i + 1, best_value = unit_value(trie_[node]);
      if (shortest) break;
    }
  }
  return {best_length, best_value};
}

std::pair<std::string_view, size_t> TextNormalizer::normalize_prefix(std::string_view text) const {
  auto [length, value] = longest_match(text);
  if (length > 0 && value < replacements_.size()) {
    std::string_view rest(replacements_);
    rest.remove_prefix(value);
    return {rest.substr(0, rest.find('\0')), length};
  }
  const size_t n = utf8_char_length(text);
  if (n == 0) return {kReplacementCharacter, 1};
  return {text.substr(0, n), n};
}

std::optional<std::string_view> TextNormalizer::shortest_prefix_replacement(std::string_view chunk) const {
  const auto [length, value] = shortest_match(chunk);
  if (length == 0 || value >= replacements_.size()) return std::nullopt;
  std::string_view rest(replacements_);
  rest.remove_prefix(value);
  return rest.substr(0, rest.find('\0'));
}

std::string TextNormalizer::normalize(std::string_view text) const {
  std::string out;
  if (remove_extra_whitespaces_) {
    while (!text.empty()) {
      auto [piece, n] = normalize_prefix(text);
      if (piece != " ") break;
      text.remove_prefix(n);
    }
  }
  if (text.empty()) return out;
  const std::string_view space = escape_whitespaces_ ? kSentencePieceSpace : std::string_view(" ");
  if (add_dummy_prefix_) out += space;
  bool previous_was_space = remove_extra_whitespaces_;
  while (!text.empty()) {
    auto [piece, n] = normalize_prefix(text);
    text.remove_prefix(n);
    while (previous_was_space && !piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    if (!piece.empty()) {
      for (char c : piece) {
        if (c == ' ') out += space;
        else out += c;
      }
      previous_was_space = piece.back() == ' ';
    }
    if (!remove_extra_whitespaces_) previous_was_space = false;
  }
  if (remove_extra_whitespaces_) {
    while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space) {
      out.resize(out.size() - space.size());
    }
  }
  return out;
}

}  // namespace ft
