#include "engine/core/utf8_text.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace ft {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The valid second-byte range for a lead byte (Unicode Table 3-7); 0 lead: not a lead byte.
struct LeadByte {
  size_t length;
  uint8_t second_low, second_high;
};
LeadByte lead_byte(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b >= 0xE1 && b <= 0xEC) return {3, 0x80, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xEE && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// Bytes of the valid character at the start of `s`, or (negative) how many bytes form the
// maximal ill-formed prefix to replace by one U+FFFD.
long valid_prefix(std::string_view s) {
  const auto lead = lead_byte(static_cast<uint8_t>(s[0]));
  if (lead.length == 0) return -1;
  if (lead.length == 1) return 1;
  for (size_t i = 1; i < lead.length; ++i) {
    if (i >= s.size()) return -static_cast<long>(i);
    const auto b = static_cast<uint8_t>(s[i]);
    const bool ok = i == 1 ? (b >= lead.second_low && b <= lead.second_high) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return -static_cast<long>(i);
  }
  return static_cast<long>(lead.length);
}

bool is_continuation_byte(char c) { return (static_cast<uint8_t>(c) & 0xC0) == 0x80; }

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  for (size_t pos = 0; pos < bytes.size();) {
    const long n = valid_prefix(bytes.substr(pos));
    if (n < 0) return false;
    pos += static_cast<size_t>(n);
  }
  return true;
}

std::string utf8_lossy(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  for (size_t pos = 0; pos < bytes.size();) {
    const long n = valid_prefix(bytes.substr(pos));
    if (n > 0) {
      out.append(bytes.substr(pos, static_cast<size_t>(n)));
      pos += static_cast<size_t>(n);
    } else {
      out += kReplacement;
      pos += static_cast<size_t>(-n);
    }
  }
  return out;
}

std::string utf8_prefix(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() <= max_bytes) return utf8_lossy(bytes);
  size_t end = max_bytes;
  // Back up over at most three continuation bytes to the start of the character cut in two.
  for (int i = 0; i < 3 && end > 0 && is_continuation_byte(bytes[end]); ++i) --end;
  return utf8_lossy(bytes.substr(0, end)) + "...";
}

std::string utf8_suffix(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() <= max_bytes) return utf8_lossy(bytes);
  size_t begin = bytes.size() - max_bytes;
  for (int i = 0; i < 3 && begin < bytes.size() && is_continuation_byte(bytes[begin]); ++i) ++begin;
  return "..." + utf8_lossy(bytes.substr(begin));
}

std::string quoted_excerpt(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  std::string shown = utf8_prefix(text, max_bytes);
  if (cut) shown.resize(shown.size() - 3);  // the "..." goes outside the quotes
  return nlohmann::json(shown).dump() + (cut ? "..." : "");
}

}  // namespace ft
