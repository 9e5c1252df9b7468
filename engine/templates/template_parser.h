// The parser: tokens to the syntax tree, following jinja2's grammar and operator precedence
// (lowest first: a if c else b; or; and; not; comparisons and in; + -; ~; * / // %; **; unary - +;
// then postfix .name [index] [a:b:c] (call), filters | f and tests "is t"). Filters and tests are
// checked here, so a template naming one the interpreter lacks fails before it renders anything,
// even where that branch would not run, as jinja2 itself fails on an unknown filter.
#pragma once

#include "engine/templates/template_ast.h"

#include <string>

namespace ft::jinja {

Body parse_template(const std::string& template_text);

}  // namespace ft::jinja
