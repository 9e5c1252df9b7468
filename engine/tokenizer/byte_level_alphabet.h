// GPT-2's byte-level alphabet: each of the 256 bytes written as a printable character (the
// printable Latin-1 bytes as themselves, the others as U+0100 onwards), so that any text becomes
// a string of vocabulary characters and back without loss.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ft {

// The UTF-8 of the character standing for each byte.
const std::array<std::string, 256>& byte_level_characters();
// `text`'s bytes, each written as its character.
std::string to_byte_level(std::string_view text);
// The byte a character (code point) stands for, if it is one of the alphabet's.
std::optional<uint8_t> byte_of_byte_level_character(char32_t c);

}  // namespace ft
