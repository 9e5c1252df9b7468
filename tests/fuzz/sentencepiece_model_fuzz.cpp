// tokenizer.model (a sentencepiece protobuf): parsed, made a tokenizer that encodes and decodes,
// and written back in a form that parses again.
#include "engine/tokenizer/sentencepiece_model.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/sample_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::parse_or_refuse([&] {
    auto model = ft::parse_sentencepiece_model(ft::fuzz::text_of(data, size), "tokenizer.model");
    try {
      ft::parse_sentencepiece_model(ft::serialize_sentencepiece_model(model), "written tokenizer.model");
    } catch (const ft::Error& e) {
      ft::fuzz::fail(std::string("the written tokenizer.model does not read back: ") + e.what());
    }
    const ft::Tokenizer tokenizer(std::move(model), "tokenizer.model");
    for (const auto& text : ft::fuzz::kSampleTexts) tokenizer.decode(tokenizer.encode(text));
  });
  return 0;
}
