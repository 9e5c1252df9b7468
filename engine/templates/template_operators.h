// The operators of template expressions with Python's semantics: int arithmetic stays int (and
// fails on overflow instead of wrapping), "/" always gives a float, "//" and "%" floor toward
// negative infinity, "+" and "*" also join and repeat strings and lists, "~" joins the printed
// forms, comparisons order numbers, strings and lists, "in" looks into strings, lists and dicts.
// An undefined operand fails, except for "~", "==", "!=" and the right side of "in".
#pragma once

#include "engine/templates/template_ast.h"
#include "engine/templates/template_value.h"

namespace ft::jinja {

// Any operator but and/or, which the evaluator short-circuits.
Value apply_binary(BinaryOperator op, const Value& left, const Value& right, SourcePosition position);
Value apply_unary(UnaryOperator op, const Value& operand, SourcePosition position);
bool compare(ComparisonOperator op, const Value& left, const Value& right, SourcePosition position);

}  // namespace ft::jinja
