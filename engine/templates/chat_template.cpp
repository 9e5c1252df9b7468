#include "engine/templates/chat_template.h"

#include "engine/core/error.h"
#include "engine/templates/template_evaluator.h"
#include "engine/templates/template_parser.h"

namespace ft {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

ChatTemplate::ChatTemplate(const std::string& source, std::string bos_token, std::string eos_token)
    : body_(std::make_shared<const jinja::Body>(jinja::parse_template(source))),
      bos_token_(std::move(bos_token)),
      eos_token_(std::move(eos_token)) {}

jinja::ValueDict ChatTemplate::variables(const std::vector<ChatTurn>& messages, size_t count,
                                         bool add_generation_prompt) const {
  std::vector<jinja::Value> list;
  for (size_t i = 0; i < count; ++i) {
    jinja::ValueDict message;
    message.set("role", jinja::Value::string(messages[i].role));
    message.set("content", jinja::Value::string(messages[i].content));
    list.push_back(jinja::Value::dict(std::move(message)));
  }
  jinja::ValueDict variables;
  variables.set("messages", jinja::Value::list(std::move(list)));
  variables.set("tools", jinja::Value::none());
  variables.set("documents", jinja::Value::none());
  variables.set("add_generation_prompt", jinja::Value::boolean(add_generation_prompt));
  variables.set("bos_token", jinja::Value::string(bos_token_));
  variables.set("eos_token", jinja::Value::string(eos_token_));
  return variables;
}

std::string ChatTemplate::render(const jinja::ValueDict& variables) const {
  return jinja::render_template(*body_, variables);
}

std::string ChatTemplate::render(const std::vector<ChatTurn>& messages, bool add_generation_prompt) const {
  return render(variables(messages, messages.size(), add_generation_prompt));
}

// Where an assistant turn lies is found by rendering prefixes of the conversation, not by
// searching for the reply's text: the turn of message k is what the conversation up to k adds to
// the conversation before k rendered with the generation prompt. This is also the property that
// generation relies on (the model is prompted with that text and must write the rest), so
// checking it here means the model is trained on exactly the prompts it will be given. A
// template that rewrites earlier turns as the conversation grows (some drop the reasoning of
// past turns) breaks it, and is refused rather than trained with weights in the wrong places.
// Searching for sentinel contents instead would break on templates that trim or reformat content.
RenderedChat ChatTemplate::render_for_training(const std::vector<ChatTurn>& messages) const {
  RenderedChat rendered{render(messages, false), {}};
  for (size_t k = 0; k < messages.size(); ++k) {
    if (messages[k].role != "assistant") continue;
    const auto where = "assistant message " + std::to_string(k + 1);
    std::string prompt, through_reply;
    try {
      prompt = render(variables(messages, k, true));
      through_reply = render(variables(messages, k + 1, false));
    } catch (const Error& e) {
      throw Error(e.kind(), "rendering the conversation up to " + where + " to find its tokens: " + e.what());
    }
    if (!starts_with(rendered.text, prompt) || !starts_with(rendered.text, through_reply) ||
        through_reply.size() < prompt.size()) {
      throw Error(ErrorKind::unsupported,
                  "the chat template does not render the conversation as a growing prefix: the conversation before " +
                      where + " with the generation prompt, and the conversation through it, are not both the start "
                      "of the whole conversation, so the reply cannot be located for training");
    }
    // The turn ends at the template's end-of-turn marker; the line break after it is layout.
    size_t end = through_reply.size();
    while (end > prompt.size() && is_blank(through_reply[end - 1])) --end;
    rendered.assistant_spans.push_back(AssistantSpan{k, prompt.size(), end});
  }
  return rendered;
}

}  // namespace ft
