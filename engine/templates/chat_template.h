// A model's chat template (tokenizer_config.json's "chat_template", or chat_template.jinja) run
// as transformers' apply_chat_template(messages, add_generation_prompt=..., tokenize=False) runs
// it, and the parts of the rendered text that are the assistant's turns, for training weights.
//
// The template sees what transformers gives it: messages (role and content), add_generation_prompt,
// bos_token, eos_token, and tools and documents set to None (so "tools is defined" is true and
// "tools is none" too, exactly as in transformers).
#pragma once

#include "engine/templates/template_ast.h"
#include "engine/templates/template_value.h"

#include <memory>
#include <string>
#include <vector>

namespace ft {

struct ChatTurn {
  std::string role;  // "system", "user", "assistant", or any role the template knows
  std::string content;
};

// Bytes [begin, end) of a rendered conversation that are assistant message `message` (an index into
// the messages): its text and the end-of-turn marker the template writes right after it ("<|im_end|>",
// "<|eot_id|>", "</s>"), without the whitespace that follows the marker.
struct AssistantSpan {
  size_t message = 0;
  size_t begin = 0;
  size_t end = 0;
};

struct RenderedChat {
  std::string text;
  std::vector<AssistantSpan> assistant_spans;  // one per assistant message, in order
};

class ChatTemplate {
 public:
  // Parses the template; a syntax error or an unsupported construct is an ft::Error that names it
  // and its line and column.
  ChatTemplate(const std::string& source, std::string bos_token, std::string eos_token);

  std::string render(const std::vector<ChatTurn>& messages, bool add_generation_prompt) const;
  // The whole conversation without the generation prompt, and where each assistant turn lies.
  RenderedChat render_for_training(const std::vector<ChatTurn>& messages) const;
  // Any variables, for callers that give the template more than messages (tools, documents).
  std::string render(const jinja::ValueDict& variables) const;

 private:
  jinja::ValueDict variables(const std::vector<ChatTurn>& messages, size_t count, bool add_generation_prompt) const;

  std::shared_ptr<const jinja::Body> body_;
  std::string bos_token_;
  std::string eos_token_;
};

}  // namespace ft
