#include "engine/templates/chat_template.h"

#include "engine/core/error.h"
#include "tests/catch.h"

namespace {

// ChatML as Qwen 2.5 writes it, without the tool parts.
const char* const kChatML =
    "{%- if messages[0]['role'] == 'system' %}\n"
    "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
    "{%- else %}\n"
    "    {{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}\n"
    "{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if message.role != 'system' %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n";

const std::vector<ft::ChatTurn> kConversation = {
    {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Name a color"}, {"assistant", "Blue"}};

std::string span_text(const ft::RenderedChat& chat, size_t i) {
  const auto& span = chat.assistant_spans.at(i);
  return chat.text.substr(span.begin, span.end - span.begin);
}

}  // namespace

TEST_CASE("a ChatML template renders as transformers does", "[templates]") {
  const ft::ChatTemplate chat_template(kChatML, "", "<|im_end|>");
  CHECK(chat_template.render({{"user", "Hi"}}, true) ==
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\n");
  CHECK(chat_template.render({{"system", "Be brief."}, {"user", "Hi"}}, false) ==
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
}

TEST_CASE("assistant spans cover the reply and the end-of-turn marker", "[templates]") {
  const ft::ChatTemplate chat_template(kChatML, "", "<|im_end|>");
  const auto chat = chat_template.render_for_training(kConversation);
  CHECK(chat.text == chat_template.render(kConversation, false));
  REQUIRE(chat.assistant_spans.size() == 2);
  CHECK(chat.assistant_spans[0].message == 1);
  CHECK(span_text(chat, 0) == "Hello!<|im_end|>");
  CHECK(chat.assistant_spans[1].message == 3);
  CHECK(span_text(chat, 1) == "Blue<|im_end|>");
  CHECK(chat.text.substr(0, chat.assistant_spans[1].begin).size() > 0);
}

TEST_CASE("Llama 3 and Mistral style turns end at their own markers", "[templates]") {
  const ft::ChatTemplate llama3(
      "{{- bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + "
      "m.content | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}"
      "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
      "<|begin_of_text|>", "<|eot_id|>");
  CHECK(span_text(llama3.render_for_training(kConversation), 1) == "Blue<|eot_id|>");
  const ft::ChatTemplate mistral(
      "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}{{ '[INST] ' + m.content + ' [/INST]' }}"
      "{% else %}{{ ' ' + m.content + eos_token }}{% endif %}{% endfor %}",
      "<s>", "</s>");
  const auto chat = mistral.render_for_training(kConversation);
  CHECK(chat.text == "<s>[INST] Hi [/INST] Hello!</s>[INST] Name a color [/INST] Blue</s>");
  CHECK(span_text(chat, 0) == " Hello!</s>");
}

TEST_CASE("a template that rewrites earlier turns is refused for training", "[templates]") {
  // Marks only the last message, so a prefix renders differently from the whole conversation.
  const ft::ChatTemplate rewriting(
      "{% for m in messages %}{{ m.content }}{% if loop.last %}<last>{% endif %}|{% endfor %}", "", "");
  ft::ErrorKind kind{};
  std::string message;
  try {
    rewriting.render_for_training(kConversation);
  } catch (const ft::Error& e) {
    kind = e.kind();
    message = e.what();
  }
  CHECK(kind == ft::ErrorKind::unsupported);
  CHECK(message.find("does not render the conversation as a growing prefix") != std::string::npos);
}

TEST_CASE("transformers gives tools and documents as None", "[templates]") {
  const ft::ChatTemplate chat_template("{{ tools is defined }} {{ tools is none }} {{ documents is none }}", "", "");
  CHECK(chat_template.render({}, false) == "True True True");
}
