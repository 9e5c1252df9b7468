// A chat template (chat_template.jinja, or tokenizer_config.json's "chat_template"): parsed and
// rendered as the engine does for generation and for training.
#include "engine/templates/chat_template.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<ft::ChatTurn> conversation = {
      {"system", "Be brief."}, {"user", "Hi {{ there }} \xE2\x96\x81"}, {"assistant", "Hello!"}, {"user", "\xF0\x9F\x99\x82?"}};
  ft::fuzz::parse_or_refuse([&] {
    const ft::ChatTemplate chat(ft::fuzz::text_of(data, size), "<s>", "</s>");
    chat.render(conversation, true);
    chat.render_for_training({conversation.begin(), conversation.begin() + 3});
  });
  return 0;
}
