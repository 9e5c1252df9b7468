#include "engine/templates/template_arguments.h"

namespace ft::jinja {

BoundArguments::BoundArguments(const CallArguments& arguments, const std::string& callee,
                               std::vector<std::string> parameters)
    : callee_(callee),
      parameters_(std::move(parameters)),
      values_(parameters_.size()),
      given_(parameters_.size(), false),
      position_(arguments.position) {
  if (arguments.positional.size() > parameters_.size())
    fail("takes at most " + std::to_string(parameters_.size()) + " argument" + (parameters_.size() == 1 ? "" : "s") +
         " (" + std::to_string(arguments.positional.size()) + " given)");
  for (size_t i = 0; i < arguments.positional.size(); ++i) {
    values_[i] = arguments.positional[i];
    given_[i] = true;
  }
  for (const auto& [name, value] : arguments.keyword) {
    size_t i = 0;
    while (i < parameters_.size() && parameters_[i] != name) ++i;
    if (i == parameters_.size()) fail("got an unexpected keyword argument '" + name + "'");
    if (given_[i]) fail("got multiple values for argument '" + name + "'");
    values_[i] = value;
    given_[i] = true;
  }
}

Value BoundArguments::get(size_t i, const Value& fallback) const { return given_[i] ? values_[i] : fallback; }

const Value& BoundArguments::required(size_t i) const {
  if (!given_[i]) fail("missing the required argument '" + parameters_[i] + "'");
  return values_[i];
}

std::string BoundArguments::string(size_t i, const Value& fallback) const {
  const auto value = get(i, fallback);
  if (!value.is(Value::Kind::string)) fail("expects a string for '" + parameters_[i] + "', not " + value.type_name());
  return value.as_string();
}

int64_t BoundArguments::integer(size_t i, const Value& fallback) const {
  const auto value = get(i, fallback);
  if (!value.is(Value::Kind::integer) && !value.is(Value::Kind::boolean))
    fail("expects an integer for '" + parameters_[i] + "', not " + value.type_name());
  return value.as_integer();
}

void BoundArguments::fail(const std::string& message) const {
  fail_at(position_, ErrorKind::invalid_input, callee_ + " " + message);
}

}  // namespace ft::jinja
