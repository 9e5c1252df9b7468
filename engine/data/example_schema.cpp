#include "engine/data/example_schema.h"

#include "engine/core/utf8_text.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace ft {

namespace {

using nlohmann::json;

constexpr ChatRole all_roles[] = {ChatRole::system, ChatRole::user, ChatRole::assistant};

// A string from the data, quoted and escaped for a problem message and cut short when long, so
// that one bad record cannot flood the report.
std::string quoted(const std::string& text) { return quoted_excerpt(text, 40); }

bool is_blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

// Reports each key of `object` outside `known`; `expected` lists the known keys for the message.
void check_keys(const json& object, std::initializer_list<std::string_view> known, const std::string& subject,
                const char* expected, std::vector<std::string>& problems) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      problems.push_back(subject + " has unknown key " + quoted(it.key()) + " (expected " + expected + ")");
    }
  }
}

// The string at `key` of `object`, or nullptr after reporting it missing or of another type.
const std::string* string_field(const json& object, const std::string& key, const std::string& subject,
                                std::vector<std::string>& problems) {
  const auto it = object.find(key);
  if (it == object.end()) {
    problems.push_back(subject + " is missing \"" + key + "\"");
    return nullptr;
  }
  if (!it->is_string()) {
    problems.push_back(subject + " has \"" + key + "\" of type " + it->type_name() + " (expected a string)");
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

std::optional<ChatRole> role_named(const std::string& name) {
  for (auto role : all_roles) {
    if (name == chat_role_name(role)) return role;
  }
  return std::nullopt;
}

// Whether the message's tokens are completion tokens: an assistant message with weight 1 or no
// weight. An invalid weight is reported and counted as 1, so that it is not reported twice (as
// itself and as "nothing to learn").
bool learned(const json& message, ChatRole role, const std::string& subject, std::vector<std::string>& problems) {
  const auto weight = message.find("weight");
  if (weight == message.end()) return role == ChatRole::assistant;
  if (role != ChatRole::assistant) {
    problems.push_back(subject + " has a weight, but only assistant messages are weighted");
    return false;
  }
  if (!weight->is_number()) {
    problems.push_back(subject + " has a weight of type " + weight->type_name() + " (expected 0 or 1)");
    return true;
  }
  if (*weight != 0 && *weight != 1) {
    problems.push_back(subject + " has weight " + weight->dump() + " (expected 0 or 1)");
    return true;
  }
  return *weight == 1;
}

// The message at `index` (0-based; messages are numbered from 1 for people), or nullopt when its
// role is unknown. Other problems leave a message whose role can still be counted.
std::optional<ChatMessage> parse_message(const json& message, size_t index, std::vector<std::string>& problems) {
  const std::string subject = "message " + std::to_string(index + 1);
  if (!message.is_object()) {
    problems.push_back(subject + " has type " + message.type_name() + " (expected an object)");
    return std::nullopt;
  }
  check_keys(message, {"role", "content", "weight"}, subject, "\"role\", \"content\" and \"weight\"", problems);
  const auto* role_text = string_field(message, "role", subject, problems);
  const auto* content = string_field(message, "content", subject, problems);
  if (!role_text) return std::nullopt;
  const auto role = role_named(*role_text);
  if (!role) {
    problems.push_back(subject + " has unknown role " + quoted(*role_text) + " (expected system, user or assistant)");
    return std::nullopt;
  }
  if (*role == ChatRole::assistant && content && is_blank(*content)) {
    problems.push_back(subject + " is an assistant message with empty content");
  }
  return ChatMessage{*role, content ? *content : std::string(), learned(message, *role, subject, problems)};
}

ExampleText parse_chat(const json& record, std::vector<std::string>& problems) {
  check_keys(record, {"messages"}, "the example", "\"messages\"", problems);
  const auto& messages = record.at("messages");
  std::vector<ChatMessage> out;
  if (!messages.is_array()) {
    problems.push_back(std::string("the example has \"messages\" of type ") + messages.type_name() +
                       " (expected an array)");
    return out;
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (auto message = parse_message(messages[i], i, problems)) out.push_back(std::move(*message));
  }
  const auto is_assistant = [](const ChatMessage& m) { return m.role == ChatRole::assistant; };
  const auto is_learned = [](const ChatMessage& m) { return m.completion; };
  if (std::none_of(out.begin(), out.end(), is_assistant)) {
    problems.push_back("the example has no assistant message");
  } else if (std::none_of(out.begin(), out.end(), is_learned)) {
    problems.push_back("the example has no assistant message with weight 1, so nothing in it would be learned");
  }
  return out;
}

ExampleText parse_prompt_completion(const json& record, std::vector<std::string>& problems) {
  check_keys(record, {"prompt", "completion"}, "the example", "\"prompt\" and \"completion\"", problems);
  const auto* prompt = string_field(record, "prompt", "the example", problems);
  const auto* completion = string_field(record, "completion", "the example", problems);
  if (completion && is_blank(*completion)) problems.push_back("the example has an empty completion");
  return PromptCompletion{prompt ? *prompt : std::string(), completion ? *completion : std::string()};
}

}  // namespace

std::optional<ExampleText> parse_example(const json& record, std::vector<std::string>& problems) {
  if (!record.is_object()) {
    problems.push_back(std::string("the line is a JSON ") + record.type_name() + ", not an object");
    return std::nullopt;
  }
  const bool chat = record.contains("messages");
  const bool prompt_completion = record.contains("prompt") || record.contains("completion");
  if (chat && prompt_completion) {
    problems.push_back("the example has both \"messages\" and \"prompt\"/\"completion\" (use one format)");
    return std::nullopt;
  }
  if (!chat && !prompt_completion) {
    problems.push_back("the example has neither \"messages\" nor \"prompt\" and \"completion\"");
    return std::nullopt;
  }
  const size_t problems_before = problems.size();
  auto example = chat ? parse_chat(record, problems) : parse_prompt_completion(record, problems);
  if (problems.size() != problems_before) return std::nullopt;
  return example;
}

}  // namespace ft
