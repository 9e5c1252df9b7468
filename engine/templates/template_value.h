// The values a template computes with, modelled on the Python objects jinja2 gives templates:
// undefined (jinja2's default Undefined: prints as nothing, is false, fails when used further),
// None, bool, int, float, str, list (and tuple), dict (ordered as inserted), callables (macros,
// globals, bound methods) and namespace() objects. Lists and dicts are immutable, as in Hugging
// Face's ImmutableSandboxedEnvironment, so they are shared, not copied; a namespace is the one
// mutable value, shared by every reference to it.
#pragma once

#include "engine/templates/template_error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ft::jinja {

class Value;

struct ValueList {
  std::vector<Value> items;
  bool is_tuple = false;  // prints as (a, b) and never equals a list, as in Python
};

class ValueDict {
 public:
  const Value* find(const std::string& key) const;
  // Replaces the value of an existing key in place, else appends.
  void set(const std::string& key, Value value);
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

struct CallArguments {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  SourcePosition position;  // of the call, for errors
};

struct Function {
  std::string name;  // for errors: "raise_exception", "the macro 'render'", "str.strip"
  std::function<Value(const CallArguments&)> call;
};

struct Namespace {
  ValueDict attributes;
};

struct Undefined {
  std::string reason;  // jinja2's hint: "'tools' is undefined", "'dict object' has no attribute 'name'"
};

struct NoneValue {};

class Value {
 public:
  enum class Kind { undefined, none, boolean, integer, floating, string, list, dict, function, namespace_object };

  Value() : data_(NoneValue{}) {}
  static Value undefined(std::string reason);
  static Value none();
  static Value boolean(bool value);
  static Value integer(int64_t value);
  static Value floating(double value);
  static Value string(std::string value);
  static Value list(std::vector<Value> items, bool is_tuple = false);
  static Value dict(ValueDict entries);
  static Value function(std::string name, std::function<Value(const CallArguments&)> call);
  static Value namespace_object(ValueDict attributes);
  static Value from_json(const nlohmann::ordered_json& json);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is(Kind kind) const { return this->kind() == kind; }
  // int, float or bool (a bool is an int in Python)
  bool is_number() const { return is(Kind::integer) || is(Kind::floating) || is(Kind::boolean); }

  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_integer() const;  // int or bool
  double as_double() const;    // any number
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const ValueList& as_list() const { return *std::get<std::shared_ptr<const ValueList>>(data_); }
  const ValueDict& as_dict() const { return *std::get<std::shared_ptr<const ValueDict>>(data_); }
  const Function& as_function() const { return *std::get<std::shared_ptr<const Function>>(data_); }
  Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(data_); }
  const std::string& undefined_reason() const { return std::get<Undefined>(data_).reason; }

  // Python's type name, for errors: "str", "int", "dict", "NoneType", "Undefined".
  std::string type_name() const;
  // Python's truth value.
  bool truthy() const;
  // str(value): what {{ value }} prints. Undefined prints as nothing.
  std::string to_string() const;
  // repr(value): how a value prints inside a list or dict.
  std::string repr() const;

 private:
  struct Make {};
  template <typename T>
  Value(Make, T data) : data_(std::move(data)) {}

  std::variant<Undefined, NoneValue, bool, int64_t, double, std::string, std::shared_ptr<const ValueList>,
               std::shared_ptr<const ValueDict>, std::shared_ptr<const Function>, std::shared_ptr<Namespace>>
      data_;
};

// Python's ==: numbers by value (True == 1), lists and dicts element by element.
bool values_equal(const Value& a, const Value& b);

}  // namespace ft::jinja
