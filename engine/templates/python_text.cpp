#include "engine/templates/python_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cwctype>
#include <locale.h>

namespace ft::jinja {

namespace {

// Invalid UTF-8 bytes become the lone surrogates U+DC80..U+DCFF, as Python's surrogateescape does,
// and turn back into the same byte when encoded.
constexpr uint32_t kEscapedByteBase = 0xDC00;

size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Decodes the code point at text[at]; sets length to the bytes it used (1 for an invalid byte).
uint32_t decode_at(const std::string& text, size_t at, size_t& length) {
  const auto lead = static_cast<unsigned char>(text[at]);
  length = sequence_length(lead);
  if (length == 1) return lead;
  if (length == 0 || at + length > text.size()) {
    length = 1;
    return kEscapedByteBase + lead;
  }
  uint32_t cp = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if ((byte & 0xC0) != 0x80) {
      length = 1;
      return kEscapedByteBase + lead;
    }
    cp = (cp << 6) | (byte & 0x3F);
  }
  const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    length = 1;
    return kEscapedByteBase + lead;
  }
  return cp;
}

// Unicode case mappings from the C library's C.UTF-8 locale (built into glibc since 2.35), used
// through its own locale object so that the process's locale is left alone. Python's one-to-many
// mappings ("ß".upper() == "SS") are not made: the letter stays as it is.
locale_t unicode_locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

bool is_escaped_byte(uint32_t c) { return c >= kEscapedByteBase + 0x80 && c <= kEscapedByteBase + 0xFF; }

uint32_t to_upper(uint32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (is_escaped_byte(c) || !unicode_locale()) return c;
  return static_cast<uint32_t>(towupper_l(static_cast<wint_t>(c), unicode_locale()));
}

uint32_t to_lower(uint32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (is_escaped_byte(c) || !unicode_locale()) return c;
  return static_cast<uint32_t>(towlower_l(static_cast<wint_t>(c), unicode_locale()));
}

// A letter with case (Python's "cased"): it has an upper or a lower case form of its own.
bool is_cased(uint32_t c) { return to_upper(c) != c || to_lower(c) != c; }

template <typename Map>
std::string map_code_points(const std::string& text, Map map) {
  auto cps = code_points(text);
  for (auto& c : cps) c = map(c);
  return utf8(cps);
}

// str.isprintable, approximated by the ranges a chat template's text can realistically hold:
// controls, the separators other than the space, format characters, surrogates, private use.
bool is_python_printable(uint32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F)) return false;
  if ((c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB)) return false;
  if ((c >= 0xD800 && c <= 0xF8FF) || c >= 0xF0000) return false;
  return true;
}

std::string hex_escape(uint32_t c) {
  char buffer[16];
  if (c <= 0xFF) std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
  else if (c <= 0xFFFF) std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
  else std::snprintf(buffer, sizeof buffer, "\\U%08x", static_cast<unsigned>(c));
  return buffer;
}

template <typename Predicate>
std::string strip_if(const std::string& text, bool left, bool right, Predicate strip) {
  const auto cps = code_points(text);
  size_t begin = 0, end = cps.size();
  while (left && begin < end && strip(cps[begin])) ++begin;
  while (right && end > begin && strip(cps[end - 1])) --end;
  return utf8(std::vector<uint32_t>(cps.begin() + begin, cps.begin() + end));
}

}  // namespace

std::vector<uint32_t> code_points(const std::string& text) {
  std::vector<uint32_t> cps;
  cps.reserve(text.size());
  for (size_t at = 0, length = 0; at < text.size(); at += length) cps.push_back(decode_at(text, at, length));
  return cps;
}

std::string utf8(uint32_t c) {
  std::string out;
  if (c >= kEscapedByteBase + 0x80 && c <= kEscapedByteBase + 0xFF) {
    out.push_back(static_cast<char>(c - kEscapedByteBase));
  } else if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return out;
}

std::string utf8(const std::vector<uint32_t>& cps) {
  std::string out;
  for (auto c : cps) out += utf8(c);
  return out;
}

bool is_python_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

size_t leading_space_bytes(const std::string& text, size_t from) {
  size_t at = from, length = 0;
  while (at < text.size() && is_python_space(decode_at(text, at, length))) at += length;
  return at - from;
}

size_t trailing_space_bytes(const std::string& text) {
  return text.size() - python_rstrip(text).size();
}

std::string python_strip(const std::string& text) { return strip_if(text, true, true, is_python_space); }
std::string python_lstrip(const std::string& text) { return strip_if(text, true, false, is_python_space); }
std::string python_rstrip(const std::string& text) { return strip_if(text, false, true, is_python_space); }

std::string python_strip_chars(const std::string& text, const std::string& chars, bool left, bool right) {
  const auto set = code_points(chars);
  return strip_if(text, left, right, [&](uint32_t c) {
    for (auto s : set)
      if (s == c) return true;
    return false;
  });
}

std::vector<std::string> python_split_whitespace(const std::string& text, int64_t max_split) {
  std::vector<std::string> parts;
  const auto cps = code_points(text);
  size_t at = 0;
  while (true) {
    while (at < cps.size() && is_python_space(cps[at])) ++at;
    if (at == cps.size()) break;
    if (max_split >= 0 && static_cast<int64_t>(parts.size()) == max_split) {
      // The rest, with its trailing whitespace stripped, is the last part.
      parts.push_back(python_rstrip(utf8(std::vector<uint32_t>(cps.begin() + at, cps.end()))));
      break;
    }
    size_t end = at;
    while (end < cps.size() && !is_python_space(cps[end])) ++end;
    parts.push_back(utf8(std::vector<uint32_t>(cps.begin() + at, cps.begin() + end)));
    at = end;
  }
  return parts;
}

std::vector<std::string> python_split(const std::string& text, const std::string& separator, int64_t max_split) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (max_split < 0 || static_cast<int64_t>(parts.size()) < max_split) {
    const auto found = text.find(separator, at);
    if (found == std::string::npos) break;
    parts.push_back(text.substr(at, found - at));
    at = found + separator.size();
  }
  parts.push_back(text.substr(at));
  return parts;
}

std::string python_upper(const std::string& text) { return map_code_points(text, to_upper); }
std::string python_lower(const std::string& text) { return map_code_points(text, to_lower); }

std::string python_title(const std::string& text) {
  bool previous_cased = false;
  return map_code_points(text, [&previous_cased](uint32_t c) {
    const bool cased = is_cased(c);
    const auto mapped = cased ? (previous_cased ? to_lower(c) : to_upper(c)) : c;
    previous_cased = cased;
    return mapped;
  });
}

std::string python_capitalize(const std::string& text) {
  auto cps = code_points(text);
  for (size_t i = 0; i < cps.size(); ++i) cps[i] = i == 0 ? to_upper(cps[i]) : to_lower(cps[i]);
  return utf8(cps);
}

std::string python_replace(const std::string& text, const std::string& old, const std::string& replacement,
                           int64_t count) {
  if (old.empty()) {
    // Python inserts the replacement before every code point and at the end.
    std::string out;
    int64_t done = 0;
    for (auto c : code_points(text)) {
      if (count < 0 || done < count) out += replacement, ++done;
      out += utf8(c);
    }
    if (count < 0 || done < count) out += replacement;
    return out;
  }
  std::string out;
  size_t at = 0;
  for (int64_t done = 0; count < 0 || done < count; ++done) {
    const auto found = text.find(old, at);
    if (found == std::string::npos) break;
    out += text.substr(at, found - at) + replacement;
    at = found + old.size();
  }
  return out + text.substr(at);
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The shortest digits that read back as the same double, as repr() chooses them.
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*e", precision - 1, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text = buffer;
  const bool negative = text[0] == '-';
  if (negative) text.erase(0, 1);
  const auto e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits = text.substr(0, 1) + (e > 2 ? text.substr(2, e - 2) : "");
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  // Python writes the decimal point where the number has one when -4 <= exponent < 16.
  const int point = exponent + 1;
  std::string out;
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out = "0." + std::string(static_cast<size_t>(-point), '0') + digits;
    } else if (static_cast<size_t>(point) >= digits.size()) {
      out = digits + std::string(static_cast<size_t>(point) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
    }
  } else {
    char exponent_text[16];
    std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + exponent_text;
  }
  return negative ? "-" + out : out;
}

std::string python_string_repr(const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos;
  const bool has_double = text.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (auto c : code_points(text)) {
    if (c == static_cast<uint32_t>(quote) || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (!is_python_printable(c)) out += hex_escape(c);
    else out += utf8(c);
  }
  return out + quote;
}

}  // namespace ft::jinja
