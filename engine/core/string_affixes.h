// Whether a string begins or ends with another: C++20's starts_with and ends_with, for this
// C++17 code base, so that no caller spells out lengths or rfind(prefix, 0).
#pragma once

#include <string_view>

namespace ft {

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

inline bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace ft
