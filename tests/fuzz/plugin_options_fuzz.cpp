// ft_open's options document: parsed as ft_open does.
#include "plugin/api_error.h"
#include "plugin/json_text.h"
#include "plugin/plugin_options.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = ft::fuzz::text_of(data, size);  // NUL-terminated, as a caller's string
  ft::fuzz::parse_or_refuse([&] {
    try {
      ft::plugin::parse_plugin_options(ft::plugin::parse_argument_object(text.c_str(), "options"));
    } catch (const ft::plugin::ApiError& e) {
      ft::fuzz::check_message(e.what());
    }
  });
  return 0;
}
