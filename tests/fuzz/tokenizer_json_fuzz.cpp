// tokenizer.json: parsed as read_tokenizer_json does, then made to encode and decode.
#include "engine/core/json_document.h"
#include "engine/tokenizer/tokenizer_json.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/sample_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::parse_or_refuse([&] {
    const auto tokenizer =
        ft::parse_tokenizer_json(ft::parse_json(ft::fuzz::text_of(data, size), "tokenizer.json"), "tokenizer.json");
    for (const auto& text : ft::fuzz::kSampleTexts) {
      const auto ids = tokenizer.encode(text, true);
      tokenizer.decode(ids, false);
      tokenizer.decode(ids, true);
    }
  });
  return 0;
}
