#include "plugin/last_error.h"

#include "engine/core/utf8_text.h"

namespace ft::plugin {
namespace {

constexpr size_t kMaxMessageBytes = 32u << 10;

// One per thread; a std::string so that the pointer ft_last_error returns stays valid until
// the thread's next call that sets it.
thread_local std::string message_of_this_thread;

}  // namespace

std::string message_for_host(const std::string& message) { return utf8_prefix(message, kMaxMessageBytes); }

void set_last_error(const std::string& message) noexcept {
  try {
    message_of_this_thread = message_for_host(message);
  } catch (...) {
    message_of_this_thread = "out of memory";  // short enough for the string's inline buffer
  }
}

void clear_last_error() { message_of_this_thread.clear(); }

const char* last_error() { return message_of_this_thread.c_str(); }

}  // namespace ft::plugin
