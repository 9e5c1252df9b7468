// A call's arguments bound to the parameters of a filter, test, method or global, as Python binds
// them: positional arguments first, then keywords by name; too many, an unknown keyword or one
// given twice is an error naming the callee.
#pragma once

#include "engine/templates/template_value.h"

#include <string>
#include <vector>

namespace ft::jinja {

class BoundArguments {
 public:
  BoundArguments(const CallArguments& arguments, const std::string& callee, std::vector<std::string> parameters);

  // The argument for parameter i, or fallback when the call did not give it (a copy: fallbacks
  // are usually temporaries).
  Value get(size_t i, const Value& fallback) const;
  bool given(size_t i) const { return given_[i]; }
  // The argument for a parameter that has no default.
  const Value& required(size_t i) const;
  // Arguments of the given kind, or an error naming the parameter and what it got.
  std::string string(size_t i, const Value& fallback) const;
  int64_t integer(size_t i, const Value& fallback) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string callee_;
  std::vector<std::string> parameters_;
  std::vector<Value> values_;
  std::vector<bool> given_;
  SourcePosition position_;
};

}  // namespace ft::jinja
