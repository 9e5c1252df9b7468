// The syntax tree of a template: expressions and statements, each with its place in the source
// for errors. The parser builds it once; the evaluator walks it for every render.
#pragma once

#include "engine/templates/template_error.h"
#include "engine/templates/template_value.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ft::jinja {

struct Expression;
using ExpressionPtr = std::unique_ptr<Expression>;

struct Arguments {
  std::vector<ExpressionPtr> positional;
  std::vector<std::pair<std::string, ExpressionPtr>> keyword;
};

struct LiteralExpression { Value value; };
struct NameExpression { std::string name; };
struct ListExpression { std::vector<ExpressionPtr> items; bool is_tuple = false; };
struct DictExpression { std::vector<std::pair<ExpressionPtr, ExpressionPtr>> entries; };
struct AttributeExpression { ExpressionPtr object; std::string name; };  // object.name
struct SubscriptExpression { ExpressionPtr object; ExpressionPtr index; };  // object[index]
struct SliceExpression { ExpressionPtr object; ExpressionPtr start, stop, step; };  // each may be null
struct CallExpression { ExpressionPtr callee; Arguments arguments; };
struct FilterExpression { ExpressionPtr operand; std::string filter; Arguments arguments; };  // operand | filter(...)
struct TestExpression { ExpressionPtr operand; std::string test; Arguments arguments; bool negated = false; };

enum class UnaryOperator { logical_not, negate, plus };
struct UnaryExpression { UnaryOperator op; ExpressionPtr operand; };

enum class BinaryOperator { logical_and, logical_or, add, subtract, multiply, divide, floor_divide, modulo, power, concat };
struct BinaryExpression { BinaryOperator op; ExpressionPtr left, right; };

enum class ComparisonOperator { equal, not_equal, less, greater, less_equal, greater_equal, in, not_in };
// a < b <= c, chained as in Python: each comparison with the operand before it.
struct ComparisonExpression {
  ExpressionPtr first;
  std::vector<std::pair<ComparisonOperator, ExpressionPtr>> rest;
};

// then if condition else otherwise; without else, an undefined value when the condition is false.
struct ConditionalExpression { ExpressionPtr condition, then, otherwise; };

struct Expression {
  SourcePosition position;
  int depth = 1;  // nodes on the longest path down to a leaf: the evaluator's recursion
  std::variant<LiteralExpression, NameExpression, ListExpression, DictExpression, AttributeExpression,
               SubscriptExpression, SliceExpression, CallExpression, FilterExpression, TestExpression,
               UnaryExpression, BinaryExpression, ComparisonExpression, ConditionalExpression>
      node;
};

struct Statement;
using Body = std::vector<Statement>;

struct TextStatement { std::string text; };
struct OutputStatement { ExpressionPtr expression; };  // {{ expression }}
struct IfStatement {
  std::vector<std::pair<ExpressionPtr, Body>> branches;  // if and each elif
  Body otherwise;
};
struct ForStatement {
  std::vector<std::string> targets;  // one name, or several to unpack: for key, value in ...
  ExpressionPtr iterable;
  ExpressionPtr filter;  // for x in y if filter; may be null
  Body body;
  Body otherwise;  // {% else %}: when nothing was iterated
};
struct SetStatement {
  std::vector<std::string> targets;  // set a = ..., set a, b = ...
  ExpressionPtr value;
};
struct SetAttributeStatement {  // set ns.attribute = value
  std::string object;
  std::string attribute;
  ExpressionPtr value;
};
struct SetBlockStatement {  // set name %}...{% endset
  std::string target;
  Body body;
};
struct MacroParameter {
  std::string name;
  ExpressionPtr default_value;  // may be null
};
struct MacroStatement {
  std::string name;
  std::vector<MacroParameter> parameters;
  std::shared_ptr<const Body> body;  // shared with the callable the definition makes
};
struct BreakStatement {};
struct ContinueStatement {};
struct GenerationStatement { Body body; };  // transformers' {% generation %}: renders its body

struct Statement {
  SourcePosition position;
  std::variant<TextStatement, OutputStatement, IfStatement, ForStatement, SetStatement, SetAttributeStatement,
               SetBlockStatement, MacroStatement, BreakStatement, ContinueStatement, GenerationStatement>
      node;
};

}  // namespace ft::jinja
