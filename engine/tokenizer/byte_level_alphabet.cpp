#include "engine/tokenizer/byte_level_alphabet.h"

#include "engine/tokenizer/unicode_text.h"

namespace ft {
namespace {

// The code point each byte is written as: the printable bytes ! .. ~, ¡ .. ¬ and ® .. ÿ as
// themselves, the remaining ones as 256, 257, ... in byte order.
std::array<char32_t, 256> byte_code_points() {
  std::array<char32_t, 256> out{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    out[b] = printable ? static_cast<char32_t>(b) : next++;
  }
  return out;
}

}  // namespace

const std::array<std::string, 256>& byte_level_characters() {
  static const auto table = [] {
    std::array<std::string, 256> out;
    const auto code_points = byte_code_points();
    for (int b = 0; b < 256; ++b) utf8_append(out[b], code_points[b]);
    return out;
  }();
  return table;
}

std::string to_byte_level(std::string_view text) {
  const auto& table = byte_level_characters();
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) out += table[static_cast<uint8_t>(c)];
  return out;
}

std::optional<uint8_t> byte_of_byte_level_character(char32_t c) {
  static const auto inverse = [] {
    std::array<int, 324> out;
    out.fill(-1);
    const auto code_points = byte_code_points();
    for (int b = 0; b < 256; ++b) out[code_points[b]] = b;
    return out;
  }();
  if (c >= inverse.size() || inverse[c] < 0) return std::nullopt;
  return static_cast<uint8_t>(inverse[c]);
}

}  // namespace ft
