// UTF-8 validity for text that leaves the engine: every message and document the plugin hands a
// host is valid UTF-8 (finetune.h promises it), while file names and users' files may hold any
// bytes. Invalid bytes become U+FFFD, and text quoted from a file is cut short, so that one
// corrupted file can neither break a host's decoder nor flood its error report.
#pragma once

#include <string>
#include <string_view>

namespace ft {

bool is_valid_utf8(std::string_view bytes);

// `bytes` with every maximal ill-formed subsequence replaced by U+FFFD (the Unicode
// recommendation that Rust's from_utf8_lossy and Python's "replace" follow).
std::string utf8_lossy(std::string_view bytes);

// The longest prefix of `bytes` of at most `max_bytes` that ends on a character boundary, made
// valid UTF-8, with "..." appended when anything was cut.
std::string utf8_prefix(std::string_view bytes, size_t max_bytes);

// The same for the end of `bytes`: "..." and the longest suffix of at most `max_bytes`.
std::string utf8_suffix(std::string_view bytes, size_t max_bytes);

// Text quoted from a user's file for a message: a JSON string literal ("\"bot\"") of at most
// `max_bytes` of it, control characters escaped, "..." after the closing quote when cut.
std::string quoted_excerpt(std::string_view text, size_t max_bytes = 40);

}  // namespace ft
