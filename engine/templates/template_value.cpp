#include "engine/templates/template_value.h"

#include "engine/templates/python_text.h"

namespace ft::jinja {

const Value* ValueDict::find(const std::string& key) const {
  for (const auto& [name, value] : entries_)
    if (name == key) return &value;
  return nullptr;
}

void ValueDict::set(const std::string& key, Value value) {
  for (auto& [name, existing] : entries_) {
    if (name == key) {
      existing = std::move(value);
      return;
    }
  }
  entries_.emplace_back(key, std::move(value));
}

Value Value::undefined(std::string reason) { return Value(Make{}, Undefined{std::move(reason)}); }
Value Value::none() { return Value(); }
Value Value::boolean(bool value) { return Value(Make{}, value); }
Value Value::integer(int64_t value) { return Value(Make{}, value); }
Value Value::floating(double value) { return Value(Make{}, value); }
Value Value::string(std::string value) { return Value(Make{}, std::move(value)); }

Value Value::list(std::vector<Value> items, bool is_tuple) {
  return Value(Make{}, std::shared_ptr<const ValueList>(std::make_shared<ValueList>(ValueList{std::move(items), is_tuple})));
}

Value Value::dict(ValueDict entries) {
  return Value(Make{}, std::shared_ptr<const ValueDict>(std::make_shared<ValueDict>(std::move(entries))));
}

Value Value::function(std::string name, std::function<Value(const CallArguments&)> call) {
  return Value(Make{}, std::shared_ptr<const Function>(std::make_shared<Function>(Function{std::move(name), std::move(call)})));
}

Value Value::namespace_object(ValueDict attributes) {
  return Value(Make{}, std::make_shared<Namespace>(Namespace{std::move(attributes)}));
}

Value Value::from_json(const nlohmann::ordered_json& json) {
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null: return none();
    case nlohmann::ordered_json::value_t::boolean: return boolean(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return integer(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: return integer(static_cast<int64_t>(json.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return floating(json.get<double>());
    case nlohmann::ordered_json::value_t::string: return string(json.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      for (const auto& item : json) items.push_back(from_json(item));
      return list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      ValueDict entries;
      for (const auto& [key, item] : json.items()) entries.set(key, from_json(item));
      return dict(std::move(entries));
    }
    default: throw Error(ErrorKind::invalid_argument, "a template value cannot be made of binary JSON data");
  }
}

int64_t Value::as_integer() const {
  return is(Kind::boolean) ? static_cast<int64_t>(as_bool()) : std::get<int64_t>(data_);
}

double Value::as_double() const {
  return is(Kind::floating) ? std::get<double>(data_) : static_cast<double>(as_integer());
}

std::string Value::type_name() const {
  switch (kind()) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "NoneType";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::string: return "str";
    case Kind::list: return as_list().is_tuple ? "tuple" : "list";
    case Kind::dict: return "dict";
    case Kind::function: return "function";
    case Kind::namespace_object: return "Namespace";
  }
  return "object";
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::undefined:
    case Kind::none: return false;
    case Kind::boolean: return as_bool();
    case Kind::integer: return as_integer() != 0;
    case Kind::floating: return as_double() != 0;
    case Kind::string: return !as_string().empty();
    case Kind::list: return !as_list().items.empty();
    case Kind::dict: return !as_dict().entries().empty();
    case Kind::function:
    case Kind::namespace_object: return true;
  }
  return false;
}

std::string Value::to_string() const {
  switch (kind()) {
    case Kind::undefined: return "";
    case Kind::string: return as_string();
    default: return repr();
  }
}

std::string Value::repr() const {
  switch (kind()) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "None";
    case Kind::boolean: return as_bool() ? "True" : "False";
    case Kind::integer: return std::to_string(as_integer());
    case Kind::floating: return python_float_repr(as_double());
    case Kind::string: return python_string_repr(as_string());
    case Kind::list: {
      const auto& list = as_list();
      std::string out;
      for (const auto& item : list.items) out += (out.empty() ? "" : ", ") + item.repr();
      if (list.is_tuple) return "(" + out + (list.items.size() == 1 ? ",)" : ")");
      return "[" + out + "]";
    }
    case Kind::dict: {
      std::string out;
      for (const auto& [key, item] : as_dict().entries())
        out += (out.empty() ? "" : ", ") + python_string_repr(key) + ": " + item.repr();
      return "{" + out + "}";
    }
    case Kind::function: return "<function " + as_function().name + ">";
    case Kind::namespace_object: return "<Namespace " + Value::dict(as_namespace().attributes).repr() + ">";
  }
  return "";
}

bool values_equal(const Value& a, const Value& b) {
  using Kind = Value::Kind;
  if (a.is_number() && b.is_number()) {
    if (a.is(Kind::floating) || b.is(Kind::floating)) return a.as_double() == b.as_double();
    return a.as_integer() == b.as_integer();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::undefined:
    case Kind::none: return true;
    case Kind::string: return a.as_string() == b.as_string();
    case Kind::list: {
      const auto &x = a.as_list(), &y = b.as_list();
      if (x.is_tuple != y.is_tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i)
        if (!values_equal(x.items[i], y.items[i])) return false;
      return true;
    }
    case Kind::dict: {
      const auto &x = a.as_dict(), &y = b.as_dict();
      if (x.entries().size() != y.entries().size()) return false;
      for (const auto& [key, item] : x.entries()) {
        const auto* other = y.find(key);
        if (!other || !values_equal(item, *other)) return false;
      }
      return true;
    }
    case Kind::function: return &a.as_function() == &b.as_function();
    case Kind::namespace_object: return &a.as_namespace() == &b.as_namespace();
    default: return false;
  }
}

}  // namespace ft::jinja
