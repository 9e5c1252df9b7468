// Numbers as a plan's reasons print them, so that every reason reads its numbers the same way.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ft::reason {

// printf's %g with `significant` digits (6, %g's own, unless a reason wants fewer).
inline std::string num(double x, int significant = 6) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", significant, x);
  return text;
}

// In full.
inline std::string num(int64_t x) { return std::to_string(x); }

}  // namespace ft::reason
