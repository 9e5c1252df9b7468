#include "serve/session_token.h"

#include "host_error.h"

#include <sys/random.h>

#include <cstdint>

namespace fthost {

std::string new_session_token() {
  uint8_t bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0) throw HostError("cannot read random bytes for the session token");
    filled += size_t(n);
  }
  static const char digits[] = "0123456789abcdef";
  std::string token;
  for (uint8_t b : bytes) token += {digits[b >> 4], digits[b & 15]};
  return token;
}

bool same_token(const std::string& given, const std::string& expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < given.size(); ++i) difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return difference == 0;
}

}  // namespace fthost
