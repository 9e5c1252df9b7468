// Python's str and float semantics over UTF-8 text. Chat templates are run by jinja2, in Python,
// so what a template prints (a stripped string, a float, a list) must be what Python would print:
// whitespace is Unicode whitespace (str.isspace), floats print as repr() (shortest round trip),
// containers as repr() with quoted strings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft::jinja {

// The code points of UTF-8 text; an invalid byte stands for itself (as U+DC80+byte would in Python's
// surrogateescape), so that no input is lost.
std::vector<uint32_t> code_points(const std::string& text);
std::string utf8(uint32_t code_point);
std::string utf8(const std::vector<uint32_t>& code_points);

// str.isspace for one code point.
bool is_python_space(uint32_t code_point);

// The byte length of the whitespace run at the start (or end) of text.
size_t leading_space_bytes(const std::string& text, size_t from = 0);
size_t trailing_space_bytes(const std::string& text);

std::string python_strip(const std::string& text);
std::string python_lstrip(const std::string& text);
std::string python_rstrip(const std::string& text);
// str.strip(chars) and friends: strip any of the code points of chars.
std::string python_strip_chars(const std::string& text, const std::string& chars, bool left, bool right);

// str.split() (no separator: runs of whitespace, empty parts dropped) and str.split(sep, maxsplit).
std::vector<std::string> python_split_whitespace(const std::string& text, int64_t max_split = -1);
std::vector<std::string> python_split(const std::string& text, const std::string& separator, int64_t max_split = -1);

// Case mappings of Unicode letters, one code point to one (see python_text.cpp).
std::string python_upper(const std::string& text);
std::string python_lower(const std::string& text);
std::string python_title(const std::string& text);
std::string python_capitalize(const std::string& text);

// str.replace(old, new, count); count < 0 replaces all.
std::string python_replace(const std::string& text, const std::string& old, const std::string& replacement,
                           int64_t count = -1);

// repr(float) and repr(str).
std::string python_float_repr(double value);
std::string python_string_repr(const std::string& text);

}  // namespace ft::jinja
