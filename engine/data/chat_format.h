// How a model's chat examples are rendered: with the model's own chat template when it ships one
// (tokenizer_config.json's "chat_template", or chat_template.jinja), so that a fine-tuned chat
// model is trained on the format it sees at inference; otherwise with the engine's generic
// template (example_template.h). Either way the choice and its reason go into the plan.
#pragma once

#include "engine/templates/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

#include <filesystem>
#include <memory>
#include <string>

namespace ft {

struct ChatFormat {
  std::shared_ptr<const ChatTemplate> model_template;  // null: the generic template
  std::string name;    // "model" or "generic"
  std::string reason;  // why, for the plan
};

// The generic template, with the reason it is used.
ChatFormat generic_chat_format(std::string reason);

// The model folder's own template when it has one the engine can use. A template that does not
// parse, or uses a construct the interpreter lacks, is an ft::Error naming the file and the
// construct: never a silently different prompt.
ChatFormat chat_format_of(const std::filesystem::path& model_folder, const Tokenizer& tokenizer);

}  // namespace ft
