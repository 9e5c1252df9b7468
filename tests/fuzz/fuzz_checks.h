// What every fuzz target asserts beyond "no crash, no sanitizer report": a parser refuses bad
// input with an ft::Error (another exception type would reach a host as an internal error), and
// the message it gives is valid UTF-8 and short, as finetune.h promises for ft_last_error.
#pragma once

#include "engine/core/error.h"
#include "engine/core/utf8_text.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace ft::fuzz {

// Every message of a single refusal fits in this; the file name adds a few bytes.
constexpr size_t kMaxMessageBytes = 1000;

[[noreturn]] inline void fail(const std::string& problem) {
  std::fprintf(stderr, "fuzz check failed: %s\n", problem.c_str());
  std::abort();
}

inline void check_message(const std::string& message, size_t max_bytes = kMaxMessageBytes) {
  if (!is_valid_utf8(message)) fail("the message is not valid UTF-8: " + utf8_lossy(message));
  if (message.size() > max_bytes) {
    fail("a message of " + std::to_string(message.size()) + " bytes: " + utf8_prefix(message, 300));
  }
}

// Runs `parse`; an ft::Error is a refusal whose message is checked, anything else a failure.
template <typename Parse>
void parse_or_refuse(Parse&& parse, size_t max_message_bytes = kMaxMessageBytes) {
  try {
    parse();
  } catch (const Error& e) {
    check_message(e.what(), max_message_bytes);
  } catch (const std::exception& e) {
    fail(std::string("an exception other than ft::Error: ") + e.what());
  }
}

inline std::string text_of(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

}  // namespace ft::fuzz
