// The evaluator: renders a parsed template with the variables a caller gives, as jinja2 renders
// it in transformers' sandbox. Besides the caller's variables, templates see transformers'
// globals: raise_exception(message) (fails with the message), namespace(...), dict(...),
// range(...), strftime_now(format); a name defined nowhere is undefined.
//
// Scopes are jinja2's: each iteration of a for loop and each macro call has its own, so a "set"
// inside a loop is gone at the next iteration and after the loop (templates carry state across
// iterations in a namespace); "if" opens none.
#pragma once

#include "engine/templates/template_ast.h"
#include "engine/templates/template_value.h"

#include <string>

namespace ft::jinja {

std::string render_template(const Body& body, const ValueDict& variables);

}  // namespace ft::jinja
