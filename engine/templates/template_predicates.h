// jinja2's tests, the predicates of "value is name(arguments)": defined, none, string, mapping,
// iterable, number, true, false, equalto, in, divisibleby and the like, with jinja2's answers for
// undefined values (an undefined value is iterable and a sequence, as jinja2's Undefined is).
#pragma once

#include "engine/templates/template_value.h"

#include <string>

namespace ft::jinja {

bool is_supported_predicate(const std::string& name);
bool apply_predicate(const std::string& name, const Value& value, const CallArguments& arguments);

}  // namespace ft::jinja
