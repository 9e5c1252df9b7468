#include "engine/templates/template_methods.h"

#include "engine/core/string_affixes.h"
#include "engine/templates/python_text.h"
#include "engine/templates/template_arguments.h"

#include <algorithm>
#include <set>

namespace ft::jinja {

namespace {

using Method = Value (*)(const Value& self, const BoundArguments& arguments);

struct MethodSpec {
  const char* name;
  std::vector<std::string> parameters;
  Method body;
};

Value strip_method(const Value& self, const BoundArguments& a, bool left, bool right) {
  const auto& text = self.as_string();
  const auto chars = a.get(0, Value::none());
  if (chars.is(Value::Kind::none)) {
    if (left && right) return Value::string(python_strip(text));
    return Value::string(left ? python_lstrip(text) : python_rstrip(text));
  }
  return Value::string(python_strip_chars(text, a.string(0, Value::none()), left, right));
}

// str.startswith / endswith with a string or a tuple of strings.
Value affix_method(const Value& self, const BoundArguments& a, bool at_start) {
  const auto& text = self.as_string();
  const auto& affix = a.required(0);
  std::vector<Value> candidates;
  if (affix.is(Value::Kind::list) && affix.as_list().is_tuple) candidates = affix.as_list().items;
  else candidates.push_back(affix);
  for (const auto& candidate : candidates) {
    if (!candidate.is(Value::Kind::string)) a.fail("expects a string or a tuple of strings, not " + candidate.type_name());
    const auto& s = candidate.as_string();
    if (at_start ? starts_with(text, s) : ends_with(text, s)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

Value split_method(const Value& self, const BoundArguments& a) {
  const auto separator = a.get(0, Value::none());
  const auto max_split = a.integer(1, Value::integer(-1));
  std::vector<std::string> parts;
  if (separator.is(Value::Kind::none)) {
    parts = python_split_whitespace(self.as_string(), max_split);
  } else {
    const auto& text = a.string(0, Value::none());
    if (text.empty()) a.fail("got an empty separator");
    parts = python_split(self.as_string(), text, max_split);
  }
  std::vector<Value> items;
  for (auto& part : parts) items.push_back(Value::string(std::move(part)));
  return Value::list(std::move(items));
}

Value join_method(const Value& self, const BoundArguments& a) {
  const auto& items = a.required(0);
  if (!items.is(Value::Kind::list)) a.fail("expects a list, not " + items.type_name());
  std::string out;
  bool first = true;
  for (const auto& item : items.as_list().items) {
    if (!item.is(Value::Kind::string)) a.fail("expects strings, found " + item.type_name());
    out += (first ? "" : self.as_string()) + item.as_string();
    first = false;
  }
  return Value::string(out);
}

const std::vector<MethodSpec>& string_methods() {
  static const std::vector<MethodSpec> methods = {
      {"strip", {"chars"}, [](const Value& s, const BoundArguments& a) { return strip_method(s, a, true, true); }},
      {"lstrip", {"chars"}, [](const Value& s, const BoundArguments& a) { return strip_method(s, a, true, false); }},
      {"rstrip", {"chars"}, [](const Value& s, const BoundArguments& a) { return strip_method(s, a, false, true); }},
      {"startswith", {"prefix"}, [](const Value& s, const BoundArguments& a) { return affix_method(s, a, true); }},
      {"endswith", {"suffix"}, [](const Value& s, const BoundArguments& a) { return affix_method(s, a, false); }},
      {"split", {"sep", "maxsplit"}, split_method},
      {"join", {"iterable"}, join_method},
      {"upper", {}, [](const Value& s, const BoundArguments&) { return Value::string(python_upper(s.as_string())); }},
      {"lower", {}, [](const Value& s, const BoundArguments&) { return Value::string(python_lower(s.as_string())); }},
      {"title", {}, [](const Value& s, const BoundArguments&) { return Value::string(python_title(s.as_string())); }},
      {"capitalize", {},
       [](const Value& s, const BoundArguments&) { return Value::string(python_capitalize(s.as_string())); }},
      {"replace", {"old", "new", "count"},
       [](const Value& s, const BoundArguments& a) {
         return Value::string(python_replace(s.as_string(), a.string(0, Value::none()), a.string(1, Value::none()),
                                             a.integer(2, Value::integer(-1))));
       }},
  };
  return methods;
}

Value dict_view(const Value& self, bool keys, bool values) {
  std::vector<Value> items;
  for (const auto& [key, value] : self.as_dict().entries()) {
    if (keys && values) items.push_back(Value::list({Value::string(key), value}, true));
    else items.push_back(keys ? Value::string(key) : value);
  }
  return Value::list(std::move(items));
}

const std::vector<MethodSpec>& dict_methods() {
  static const std::vector<MethodSpec> methods = {
      {"items", {}, [](const Value& d, const BoundArguments&) { return dict_view(d, true, true); }},
      {"keys", {}, [](const Value& d, const BoundArguments&) { return dict_view(d, true, false); }},
      {"values", {}, [](const Value& d, const BoundArguments&) { return dict_view(d, false, true); }},
      {"get", {"key", "default"},
       [](const Value& d, const BoundArguments& a) {
         const auto& key = a.required(0);
         const Value* found = key.is(Value::Kind::string) ? d.as_dict().find(key.as_string()) : nullptr;
         return found ? *found : a.get(1, Value::none());
       }},
  };
  return methods;
}

// Python's own method names, so that a missing one is reported rather than read as undefined.
const std::set<std::string> kPythonStringMethods = {
    "capitalize", "casefold",   "center",     "count",     "encode",     "endswith",     "expandtabs", "find",
    "format",     "format_map", "index",      "isalnum",   "isalpha",    "isascii",      "isdecimal",  "isdigit",
    "isidentifier", "islower",  "isnumeric",  "isprintable", "isspace",  "istitle",      "isupper",    "join",
    "ljust",      "lower",      "lstrip",     "maketrans", "partition",  "removeprefix", "removesuffix", "replace",
    "rfind",      "rindex",     "rjust",      "rpartition", "rsplit",    "rstrip",       "split",      "splitlines",
    "startswith", "strip",      "swapcase",   "title",     "translate",  "upper",        "zfill"};
const std::set<std::string> kPythonDictMethods = {"clear", "copy", "fromkeys", "get", "items", "keys",
                                                  "pop", "popitem", "setdefault", "update", "values"};
const std::set<std::string> kPythonListMethods = {"append", "clear", "copy",   "count", "extend", "index",
                                                  "insert", "pop",   "remove", "reverse", "sort"};

std::optional<Value> bind_method(const Value& receiver, const std::vector<MethodSpec>& methods, const std::string& type,
                          const std::string& name) {
  for (const auto& method : methods) {
    if (name != method.name) continue;
    const auto callee = type + "." + name + "()";
    const auto body = method.body;
    const auto parameters = method.parameters;
    return Value::function(callee, [receiver, callee, body, parameters](const CallArguments& arguments) {
      return body(receiver, BoundArguments(arguments, callee, parameters));
    });
  }
  return std::nullopt;
}

}  // namespace

std::optional<Value> find_method(const Value& receiver, const std::string& name, SourcePosition position) {
  const std::set<std::string>* python_methods = nullptr;
  std::optional<Value> method;
  if (receiver.is(Value::Kind::string)) {
    method = bind_method(receiver, string_methods(), "str", name);
    python_methods = &kPythonStringMethods;
  } else if (receiver.is(Value::Kind::dict)) {
    method = bind_method(receiver, dict_methods(), "dict", name);
    python_methods = &kPythonDictMethods;
  } else if (receiver.is(Value::Kind::list)) {
    python_methods = &kPythonListMethods;
  }
  if (!method && python_methods && python_methods->count(name))
    fail_at(position, ErrorKind::unsupported, "the method " + receiver.type_name() + "." + name + "() is not supported");
  return method;
}

}  // namespace ft::jinja
