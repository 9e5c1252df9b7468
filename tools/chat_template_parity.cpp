// chat-template-parity CASES: checks the engine's chat-template interpreter against transformers.
// CASES is JSON Lines, one render per line, as made by tests/oracle/chat_template_cases.py: the
// template, messages, add_generation_prompt, bos_token, eos_token, tools, and transformers'
// "expected" text (or the "error" its template raised, which the engine must raise too, with the
// same message). The engine's text must be byte for byte transformers'. Where a record has
// "assistant_spans" (found from transformers' renders of the conversation's prefixes), the
// engine's render for training must give the same text and the same spans, or refuse the
// template where they are null.
// Prints the count and the first mismatches; exits 0 when every render matches, 1 when any
// differs, 2 when the file cannot be read.
#include "engine/core/error.h"
#include "engine/templates/chat_template.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

constexpr int kMismatchesShown = 5;

using Json = nlohmann::ordered_json;

std::string shown(const std::string& text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The variables transformers' render_jinja_template gives the template.
ft::jinja::ValueDict variables_of(const Json& record) {
  ft::jinja::ValueDict variables;
  variables.set("messages", ft::jinja::Value::from_json(record.at("messages")));
  variables.set("tools", ft::jinja::Value::from_json(record.at("tools")));
  variables.set("documents", ft::jinja::Value::none());
  variables.set("add_generation_prompt", ft::jinja::Value::boolean(record.at("add_generation_prompt").get<bool>()));
  variables.set("bos_token", ft::jinja::Value::string(record.at("bos_token").get<std::string>()));
  variables.set("eos_token", ft::jinja::Value::string(record.at("eos_token").get<std::string>()));
  return variables;
}

std::vector<ft::ChatTurn> turns_of(const Json& record) {
  std::vector<ft::ChatTurn> turns;
  for (const auto& message : record.at("messages"))
    turns.push_back({message.at("role").get<std::string>(), message.at("content").get<std::string>()});
  return turns;
}

std::string spans_text(const std::vector<ft::AssistantSpan>& spans) {
  std::string out;
  for (const auto& span : spans) out += "[" + std::to_string(span.begin) + ", " + std::to_string(span.end) + ") ";
  return out;
}

// The assistant spans of a conversation for training against those transformers' renders give.
std::string check_spans(const ft::ChatTemplate& chat_template, const Json& record) {
  const auto& expected = record.at("assistant_spans");
  ft::RenderedChat chat;
  try {
    chat = chat_template.render_for_training(turns_of(record));
  } catch (const ft::Error& e) {
    if (expected.is_null() && std::string(e.what()).find("growing prefix") != std::string::npos) return "";
    return std::string("render_for_training: ") + e.what();
  }
  if (expected.is_null()) return "render_for_training did not refuse a template that rewrites earlier turns";
  if (chat.text != record.at("expected").get<std::string>()) return "render_for_training gives " + shown(chat.text);
  std::vector<ft::AssistantSpan> wanted;
  for (const auto& span : expected) wanted.push_back({0, span.at(0).get<size_t>(), span.at(1).get<size_t>()});
  bool same = wanted.size() == chat.assistant_spans.size();
  for (size_t i = 0; same && i < wanted.size(); ++i)
    same = wanted[i].begin == chat.assistant_spans[i].begin && wanted[i].end == chat.assistant_spans[i].end;
  if (!same) return "assistant spans " + spans_text(chat.assistant_spans) + "; from transformers " + spans_text(wanted);
  return "";
}

// The difference, or "" when the engine agrees with transformers on this record.
std::string check(const Json& record) {
  const ft::ChatTemplate chat_template(record.at("template").get<std::string>(), record.at("bos_token").get<std::string>(),
                                       record.at("eos_token").get<std::string>());
  std::string text;
  try {
    text = chat_template.render(variables_of(record));
  } catch (const ft::Error& e) {
    if (record.contains("error") && std::string(e.what()).find(record.at("error").get<std::string>()) != std::string::npos)
      return "";
    return "engine error: " + std::string(e.what()) +
           (record.contains("error") ? "\n    transformers error: " + record.at("error").get<std::string>()
                                     : "\n    transformers: " + shown(record.at("expected").get<std::string>()));
  }
  if (record.contains("error")) return "engine rendered " + shown(text) + "\n    transformers error: " + record.at("error").get<std::string>();
  const auto expected = record.at("expected").get<std::string>();
  if (text != expected) return "engine:       " + shown(text) + "\n    transformers: " + shown(expected);
  return record.contains("assistant_spans") ? check_spans(chat_template, record) : "";
}

int run(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "chat-template-parity: %s: cannot be read\n", path.c_str());
    return 2;
  }
  size_t renders = 0, matching = 0, spans = 0, line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.empty()) continue;
    ++renders;
    std::string difference;
    try {
      const auto record = Json::parse(line);
      spans += record.contains("assistant_spans");
      difference = check(record);
    } catch (const std::exception& e) {
      difference = std::string("engine error: ") + e.what();
    }
    if (difference.empty()) ++matching;
    else if (renders - matching <= kMismatchesShown)
      std::printf("  %s:%zu:\n    %s\n", path.c_str(), line_number, difference.c_str());
  }
  const bool ok = renders > 0 && matching == renders;
  std::printf("chat-template-parity %s: %zu/%zu renders identical to transformers (%zu with assistant spans)  %s\n",
              path.c_str(), matching, renders, spans, ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: chat-template-parity CASES\n"
                         "  CASES: JSON Lines made by tests/oracle/chat_template_cases.py\n");
    return 2;
  }
  return run(argv[1]);
}
