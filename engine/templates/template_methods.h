// The methods templates call on strings and dicts ("text.strip()", "message.get('content')"),
// as bound callables. Methods Python has but the interpreter lacks are named in an error rather
// than treated as missing attributes, so that a template never renders differently in silence;
// the methods of lists all mutate or are unused, and fail the same way (the sandbox transformers
// renders in refuses list.append too).
#pragma once

#include "engine/templates/template_value.h"

#include <optional>
#include <string>

namespace ft::jinja {

// The method `name` of receiver bound to it, or nothing when receiver has no such attribute.
// Fails (unsupported) for a method of Python's str, dict or list that is not implemented.
std::optional<Value> find_method(const Value& receiver, const std::string& name, SourcePosition position);

}  // namespace ft::jinja
