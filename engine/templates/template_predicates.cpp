#include "engine/templates/template_predicates.h"

#include "engine/templates/template_arguments.h"
#include "engine/templates/template_operators.h"

#include <map>

namespace ft::jinja {

namespace {

using Kind = Value::Kind;

// A test of the value alone.
using Unary = bool (*)(const Value&);

const std::map<std::string, Unary>& unary_predicates() {
  static const std::map<std::string, Unary> predicates = {
      {"defined", [](const Value& v) { return !v.is(Kind::undefined); }},
      {"undefined", [](const Value& v) { return v.is(Kind::undefined); }},
      {"none", [](const Value& v) { return v.is(Kind::none); }},
      {"boolean", [](const Value& v) { return v.is(Kind::boolean); }},
      {"true", [](const Value& v) { return v.is(Kind::boolean) && v.as_bool(); }},
      {"false", [](const Value& v) { return v.is(Kind::boolean) && !v.as_bool(); }},
      {"integer", [](const Value& v) { return v.is(Kind::integer); }},
      {"float", [](const Value& v) { return v.is(Kind::floating); }},
      {"number", [](const Value& v) { return v.is_number(); }},
      {"string", [](const Value& v) { return v.is(Kind::string); }},
      {"mapping", [](const Value& v) { return v.is(Kind::dict); }},
      {"callable", [](const Value& v) { return v.is(Kind::function); }},
      {"iterable", [](const Value& v) { return v.is(Kind::undefined) || v.is(Kind::string) || v.is(Kind::list) || v.is(Kind::dict); }},
      {"sequence", [](const Value& v) { return v.is(Kind::undefined) || v.is(Kind::string) || v.is(Kind::list) || v.is(Kind::dict); }},
      {"lower", [](const Value& v) {
         const auto s = v.to_string();
         return s.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos &&
                s.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos;
       }},
      {"upper", [](const Value& v) {
         const auto s = v.to_string();
         return s.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos &&
                s.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
       }},
  };
  return predicates;
}

const std::map<std::string, ComparisonOperator>& comparison_predicates() {
  static const std::map<std::string, ComparisonOperator> predicates = {
      {"eq", ComparisonOperator::equal},        {"equalto", ComparisonOperator::equal},
      {"==", ComparisonOperator::equal},        {"ne", ComparisonOperator::not_equal},
      {"!=", ComparisonOperator::not_equal},    {"lt", ComparisonOperator::less},
      {"lessthan", ComparisonOperator::less},   {"<", ComparisonOperator::less},
      {"le", ComparisonOperator::less_equal},   {"<=", ComparisonOperator::less_equal},
      {"gt", ComparisonOperator::greater},      {"greaterthan", ComparisonOperator::greater},
      {">", ComparisonOperator::greater},       {"ge", ComparisonOperator::greater_equal},
      {">=", ComparisonOperator::greater_equal}, {"in", ComparisonOperator::in},
  };
  return predicates;
}

bool integer_predicate(const std::string& name, const Value& value, const CallArguments& arguments) {
  const BoundArguments bound(arguments, "the test '" + name + "'", name == "divisibleby" ? std::vector<std::string>{"num"}
                                                                                          : std::vector<std::string>{});
  if (!value.is(Kind::integer) && !value.is(Kind::boolean))
    bound.fail("needs an integer, not " + value.type_name());
  const auto x = value.as_integer();
  if (name == "odd") return x % 2 != 0;
  if (name == "even") return x % 2 == 0;
  const auto divisor = bound.integer(0, Value::none());
  if (divisor == 0) bound.fail("got a divisor of zero");
  return x % divisor == 0;
}

}  // namespace

bool is_supported_predicate(const std::string& name) {
  return unary_predicates().count(name) || comparison_predicates().count(name) || name == "odd" || name == "even" ||
         name == "divisibleby";
}

bool apply_predicate(const std::string& name, const Value& value, const CallArguments& arguments) {
  if (auto unary = unary_predicates().find(name); unary != unary_predicates().end()) {
    BoundArguments(arguments, "the test '" + name + "'", {});
    return unary->second(value);
  }
  if (auto comparison = comparison_predicates().find(name); comparison != comparison_predicates().end()) {
    const BoundArguments bound(arguments, "the test '" + name + "'", {"other"});
    return compare(comparison->second, value, bound.required(0), arguments.position);
  }
  return integer_predicate(name, value, arguments);
}

}  // namespace ft::jinja
