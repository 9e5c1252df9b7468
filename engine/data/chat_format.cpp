#include "engine/data/chat_format.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/json_document.h"

namespace ft {
namespace {

namespace fs = std::filesystem;

struct TemplateSource {
  std::string text;
  std::string origin;  // the file it came from, for the plan and for errors
};

// transformers 5 prefers chat_template.jinja; tokenizer_config.json's "chat_template" is a string
// or a list of {"name", "template"} of which "default" is the chat template.
std::optional<TemplateSource> find_template(const fs::path& folder) {
  if (fs::exists(folder / "chat_template.jinja")) {
    return TemplateSource{read_file_bytes(folder / "chat_template.jinja"), (folder / "chat_template.jinja").string()};
  }
  const auto config_path = folder / "tokenizer_config.json";
  if (!fs::exists(config_path)) return std::nullopt;
  const auto config = read_json_file(config_path);
  if (!config.is_object() || !config.contains("chat_template")) return std::nullopt;
  const auto& value = config["chat_template"];
  if (value.is_string()) return TemplateSource{value.get<std::string>(), config_path.string()};
  if (value.is_array()) {
    for (const auto& named : value) {
      if (named.is_object() && named.value("name", "") == "default" && named.contains("template") &&
          named["template"].is_string()) {
        return TemplateSource{named["template"].get<std::string>(), config_path.string()};
      }
    }
  }
  throw Error(ErrorKind::invalid_input, config_path.string() +
                                            ": \"chat_template\" must be a string or a list holding a \"default\" template");
}

std::string token_text(const Tokenizer& tokenizer, int64_t id) { return id >= 0 ? tokenizer.piece(id) : std::string(); }

}  // namespace

ChatFormat generic_chat_format(std::string reason) { return {nullptr, "generic", std::move(reason)}; }

ChatFormat chat_format_of(const fs::path& folder, const Tokenizer& tokenizer) {
  const auto source = find_template(folder);
  if (!source) return generic_chat_format("the model ships no chat template (tokenizer_config.json or chat_template.jinja)");
  if (!tokenizer.hugging_face()) {
    // A template writes its special tokens as text; only tokenizer.json's added tokens turn that
    // text back into the special ids.
    return generic_chat_format(source->origin + " has a chat template, but the model has no tokenizer.json to "
                                                "read the special tokens it writes");
  }
  try {
    auto parsed = std::make_shared<const ChatTemplate>(source->text, token_text(tokenizer, tokenizer.bos_id()),
                                                       token_text(tokenizer, tokenizer.eos_id()));
    return {parsed, "model", "the model's own chat template, from " + source->origin +
                                 ", so that training sees the format the model is prompted with"};
  } catch (const Error& e) {
    throw Error(e.kind(), source->origin + ": " + e.what());
  }
}

}  // namespace ft
