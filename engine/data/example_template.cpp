#include "engine/data/example_template.h"

namespace ft {

namespace {

void append(TokenizedExample& example, const std::vector<int64_t>& tokens, bool completion) {
  example.tokens.insert(example.tokens.end(), tokens.begin(), tokens.end());
  example.completion.insert(example.completion.end(), tokens.size(), completion ? 1 : 0);
}

// Appends a special token (BOS, EOS) unless the tokenizer has none (id -1).
void append_special(TokenizedExample& example, int64_t id, bool completion) {
  if (id >= 0) append(example, {id}, completion);
}

TokenizedExample render(const Tokenizer& tokenizer, const PromptCompletion& example) {
  TokenizedExample out;
  append_special(out, tokenizer.bos_id(), false);
  append(out, tokenizer.encode(example.prompt), false);
  append(out, tokenizer.encode(example.completion), true);
  append_special(out, tokenizer.eos_id(), true);
  return out;
}

TokenizedExample render(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages) {
  TokenizedExample out;
  append_special(out, tokenizer.bos_id(), false);
  for (const auto& message : messages) {
    append(out, tokenizer.encode(std::string(chat_role_name(message.role)) + ":"), false);
    append(out, tokenizer.encode(message.content), message.completion);
    if (message.role == ChatRole::assistant) append_special(out, tokenizer.eos_id(), message.completion);
  }
  return out;
}

}  // namespace

const char* chat_role_name(ChatRole role) {
  switch (role) {
    case ChatRole::system: return "system";
    case ChatRole::user: return "user";
    case ChatRole::assistant: return "assistant";
  }
  return "";
}

TokenizedExample render_example(const Tokenizer& tokenizer, const ExampleText& example) {
  return std::visit([&](const auto& text) { return render(tokenizer, text); }, example);
}

}  // namespace ft
