#include "engine/data/example_template.h"

#include <algorithm>

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

// The number of leading tokens of `ids` that encode(text[:end]) also starts with: where byte `end`
// falls in the token sequence. Tokens the boundary cuts through count as before it.
size_t tokens_before(const Tokenizer& tokenizer, const std::string& text, size_t end, const std::vector<int64_t>& ids) {
  const auto prefix = tokenizer.encode(text.substr(0, end));
  size_t n = 0;
  while (n < prefix.size() && n < ids.size() && prefix[n] == ids[n]) ++n;
  return n;
}

// The conversation as the model's own template renders it, encoded whole (its special tokens are
// the tokenizer's added tokens); each assistant turn with weight 1, its end-of-turn marker
// included, is completion.
TokenizedExample render(const Tokenizer& tokenizer, const ChatTemplate& chat, const std::vector<ChatMessage>& messages) {
  std::vector<ChatTurn> turns;
  for (const auto& m : messages) turns.push_back({chat_role_name(m.role), m.content});
  const auto rendered = chat.render_for_training(turns);
  TokenizedExample out;
  out.tokens = tokenizer.encode(rendered.text);
  out.completion.assign(out.tokens.size(), 0);
  for (const auto& span : rendered.assistant_spans) {
    if (!messages.at(span.message).completion) continue;
    const auto begin = tokens_before(tokenizer, rendered.text, span.begin, out.tokens);
    const auto end = tokens_before(tokenizer, rendered.text, span.end, out.tokens);
    std::fill(out.completion.begin() + static_cast<std::ptrdiff_t>(begin),
              out.completion.begin() + static_cast<std::ptrdiff_t>(std::max(begin, end)), 1);
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

TokenizedExample render_example(const Tokenizer& tokenizer, const ExampleText& example, const ChatTemplate* chat) {
  if (chat) {
    if (const auto* messages = std::get_if<std::vector<ChatMessage>>(&example)) return render(tokenizer, *chat, *messages);
  }
  return std::visit([&](const auto& text) { return render(tokenizer, text); }, example);
}

}  // namespace ft
