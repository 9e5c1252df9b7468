// Unicode text as the Hugging Face tokenizers library sees it: UTF-8 iteration, invalid bytes
// replaced as Rust's String::from_utf8_lossy (and Python's errors="replace") do (core/utf8_text.h),
// the character classes of Rust's char (is_whitespace, is_numeric, is_punctuation), and
// normalization forms (through utf8proc).
#pragma once

#include "engine/core/utf8_text.h"  // utf8_lossy, is_valid_utf8

#include <cstdint>
#include <string>
#include <string_view>

namespace ft {

// The code point at the start of valid UTF-8 `text` and its byte length (text must not be empty).
char32_t utf8_decode_first(std::string_view text, size_t* length);
void utf8_append(std::string& out, char32_t code_point);

bool is_rust_whitespace(char32_t c);   // the White_Space property
bool is_rust_numeric(char32_t c);      // general categories Nd, Nl, No
bool is_unicode_punctuation(char32_t c);  // ASCII punctuation or categories Pc Pd Ps Pe Pi Pf Po

// Normalization of valid UTF-8.
std::string nfc(std::string_view text);
std::string nfkc(std::string_view text);
std::string nfd(std::string_view text);
std::string nfkd(std::string_view text);
// Each character's full lowercase mapping (Rust's char::to_lowercase, no context rules).
std::string lowercase(std::string_view text);

// Splits valid UTF-8 into extended grapheme clusters; calls on_cluster(cluster) for each.
template <typename F>
void for_each_grapheme(std::string_view text, F on_cluster);
bool is_grapheme_break(char32_t previous, char32_t next, int32_t* state);

template <typename F>
void for_each_grapheme(std::string_view text, F on_cluster) {
  int32_t state = 0;
  size_t start = 0, pos = 0;
  char32_t previous = 0;
  while (pos < text.size()) {
    size_t n;
    const char32_t c = utf8_decode_first(text.substr(pos), &n);
    if (pos > start && is_grapheme_break(previous, c, &state)) {
      on_cluster(text.substr(start, pos - start));
      start = pos;
    }
    previous = c;
    pos += n;
  }
  if (pos > start) on_cluster(text.substr(start, pos - start));
}

}  // namespace ft
