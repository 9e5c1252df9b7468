// The two OpenAI example formats as JSON, checked strictly: a parsed JSON Lines record becomes
// the text of an example, or a list of everything that is wrong with it.
//
//   {"prompt": "...", "completion": "..."}
//   {"messages": [{"role": "system" | "user" | "assistant", "content": "...", "weight": 0 | 1}, ...]}
//
// Unknown keys are problems rather than ignored: a misspelt or unsupported key ("name",
// "tool_calls") would otherwise train on something other than what the user wrote.
#pragma once

#include "engine/data/example_template.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ft {

// The example in `record`, or nullopt after appending one message per problem to `problems`.
std::optional<ExampleText> parse_example(const nlohmann::json& record, std::vector<std::string>& problems);

}  // namespace ft
