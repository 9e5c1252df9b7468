// jinja2's filters ("value | name(arguments)") that chat templates use, with jinja2's behaviour
// for undefined values (most print them as ""), and transformers' own tojson (json.dumps with
// ensure_ascii=False, not jinja2's HTML-safe one).
#pragma once

#include "engine/templates/template_value.h"

#include <string>

namespace ft::jinja {

bool is_supported_filter(const std::string& name);
Value apply_filter(const std::string& name, const Value& value, const CallArguments& arguments);

}  // namespace ft::jinja
