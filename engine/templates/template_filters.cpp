#include "engine/templates/template_filters.h"

#include "engine/templates/python_json.h"
#include "engine/templates/python_text.h"
#include "engine/templates/template_access.h"
#include "engine/templates/template_arguments.h"
#include "engine/templates/template_predicates.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>

namespace ft::jinja {

namespace {

using Kind = Value::Kind;
using Filter = Value (*)(const Value& value, const CallArguments& arguments);

BoundArguments bind(const CallArguments& arguments, const char* name, std::vector<std::string> parameters) {
  return BoundArguments(arguments, std::string("the filter '") + name + "'", std::move(parameters));
}

// jinja2's attribute getter for filters: "a.b.0" reads item a, then b, then index 0.
Value get_path(const Value& item, const std::string& path, SourcePosition position) {
  Value current = item;
  for (const auto& part : python_split(path, ".")) {
    const bool is_index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    current = get_item(current, is_index ? Value::integer(std::stoll(part)) : Value::string(part), position);
  }
  return current;
}

// jinja2's title filter (not str.title): each word after a space, "-", "(", "{", "[" or "<" gets
// a capital first letter and lower case for the rest.
std::string jinja_title(const std::string& text) {
  std::string out;
  bool word_start = true;
  for (auto c : code_points(text)) {
    const bool separator = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_python_space(c);
    out += word_start && !separator ? python_upper(utf8(c)) : python_lower(utf8(c));
    word_start = separator;
  }
  return out;
}

Value trim_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "trim", {"chars"});
  const auto chars = bound.get(0, Value::none());
  if (chars.is(Kind::none)) return Value::string(python_strip(value.to_string()));
  return Value::string(python_strip_chars(value.to_string(), bound.string(0, chars), true, true));
}

// transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
// note that a bare positional argument is ensure_ascii, not indent.
Value tojson_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonDumpOptions options;
  options.ensure_ascii = bound.get(0, Value::boolean(false)).truthy();
  const auto indent = bound.get(1, Value::none());
  if (indent.is(Kind::string)) options.indent = indent.as_string();
  else if (!indent.is(Kind::none)) options.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, bound.integer(1, indent))), ' ');
  const auto separators = bound.get(2, Value::none());
  if (!separators.is(Kind::none)) {
    if (!separators.is(Kind::list) || separators.as_list().items.size() != 2 ||
        !separators.as_list().items[0].is(Kind::string) || !separators.as_list().items[1].is(Kind::string))
      bound.fail("expects separators as a pair of strings");
    options.item_separator = separators.as_list().items[0].as_string();
    options.key_separator = separators.as_list().items[1].as_string();
  }
  options.sort_keys = bound.get(3, Value::boolean(false)).truthy();
  return Value::string(python_json_dumps(value, options, arguments.position));
}

Value length_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "length", {});
  return Value::integer(length(value, arguments.position));
}

Value default_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "default", {"default_value", "boolean"});
  const bool use_default = value.is(Kind::undefined) || (bound.get(1, Value::boolean(false)).truthy() && !value.truthy());
  return use_default ? bound.get(0, Value::string("")) : value;
}

// upper, lower, title, capitalize: the printed value transformed (an undefined value prints as "").
Value text_filter(const char* name, std::string (*transform)(const std::string&), const Value& value,
                  const CallArguments& arguments) {
  bind(arguments, name, {});
  return Value::string(transform(value.to_string()));
}

Value replace_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "replace", {"old", "new", "count"});
  const auto count = bound.get(2, Value::none());
  return Value::string(python_replace(value.to_string(), bound.required(0).to_string(), bound.required(1).to_string(),
                                      count.is(Kind::none) ? -1 : bound.integer(2, count)));
}

Value join_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "join", {"d", "attribute"});
  const auto separator = bound.get(0, Value::string("")).to_string();
  const auto attribute = bound.get(1, Value::none());
  std::string out;
  bool first = true;
  for (const auto& item : iterate(value, arguments.position)) {
    const auto shown = attribute.is(Kind::none) ? item : get_path(item, attribute.to_string(), arguments.position);
    out += (first ? "" : separator) + shown.to_string();
    first = false;
  }
  return Value::string(out);
}

Value first_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "first", {});
  const auto items = iterate(value, arguments.position);
  return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value last_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "last", {});
  const auto items = iterate(value, arguments.position);
  return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value list_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "list", {});
  return Value::list(iterate(value, arguments.position));
}

Value string_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "string", {});
  return Value::string(value.to_string());
}

// Python's float(text): surrounding whitespace allowed, nothing else after the number.
bool parse_float(const std::string& text, double& out) {
  const auto stripped = python_strip(text);
  if (stripped.empty()) return false;
  char* end = nullptr;
  out = std::strtod(stripped.c_str(), &end);
  return end == stripped.c_str() + stripped.size();
}

// Python's int(float), truncating; beyond 64 bits (where Python makes a big integer) refused.
int64_t truncated(double number, SourcePosition position) {
  if (!(number >= -9223372036854775808.0 && number < 9223372036854775808.0)) {
    fail_at(position, ErrorKind::unsupported, "integers beyond 64 bits are not supported");
  }
  return static_cast<int64_t>(number);
}

// jinja2's int filter: int(value), else int(float(value)) (so "42.23" gives 42), else the default.
Value int_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "int", {"default", "base"});
  const auto base = bound.integer(1, Value::integer(10));
  if (value.is(Kind::floating)) return Value::integer(truncated(value.as_double(), arguments.position));
  if (value.is_number()) return Value::integer(value.as_integer());
  if (value.is(Kind::string)) {
    std::string text = python_replace(python_strip(value.as_string()), "_", "");
    char* end = nullptr;
    errno = 0;
    const auto parsed = std::strtoll(text.c_str(), &end, static_cast<int>(base));
    if (!text.empty() && errno == 0 && end == text.c_str() + text.size()) return Value::integer(parsed);
    double number = 0;
    if (parse_float(value.as_string(), number) && std::isfinite(number)) {
      return Value::integer(truncated(number, arguments.position));
    }
  }
  return bound.get(0, Value::integer(0));
}

Value float_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "float", {"default"});
  if (value.is_number()) return Value::floating(value.as_double());
  double number = 0;
  if (value.is(Kind::string) && parse_float(value.as_string(), number)) return Value::floating(number);
  return bound.get(0, Value::floating(0.0));
}

Value items_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "items", {});
  if (value.is(Kind::undefined)) return Value::list({});
  if (!value.is(Kind::dict))
    fail_at(arguments.position, ErrorKind::invalid_input, "the filter 'items' can only get item pairs from a mapping");
  std::vector<Value> pairs;
  for (const auto& [key, item] : value.as_dict().entries()) pairs.push_back(Value::list({Value::string(key), item}, true));
  return Value::list(std::move(pairs));
}

// select, reject, selectattr, rejectattr: (attribute,) test name, test arguments.
Value select_filter(const Value& value, const CallArguments& arguments, bool by_attribute, bool keep) {
  if (!arguments.keyword.empty())
    fail_at(arguments.position, ErrorKind::unsupported, "keyword arguments to select filters are not supported");
  const auto& positional = arguments.positional;
  size_t at = 0;
  std::string attribute;
  if (by_attribute) {
    if (positional.empty() || !positional[0].is(Kind::string))
      fail_at(arguments.position, ErrorKind::invalid_input, "selectattr and rejectattr need an attribute name");
    attribute = positional[at++].as_string();
  }
  std::string test;
  if (at < positional.size()) {
    if (!positional[at].is(Kind::string) || !is_supported_predicate(positional[at].as_string()))
      fail_at(arguments.position, ErrorKind::unsupported, "the test " + positional[at].repr() + " is not supported");
    test = positional[at++].as_string();
  }
  CallArguments test_arguments{{positional.begin() + static_cast<std::ptrdiff_t>(at), positional.end()}, {}, arguments.position};
  std::vector<Value> kept;
  for (const auto& item : iterate(value, arguments.position)) {
    const auto subject = by_attribute ? get_path(item, attribute, arguments.position) : item;
    const bool passes = test.empty() ? subject.truthy() : apply_predicate(test, subject, test_arguments);
    if (passes == keep) kept.push_back(item);
  }
  return Value::list(std::move(kept));
}

// map(attribute="name", default=...) or map("filter", arguments...).
Value map_filter(const Value& value, const CallArguments& arguments) {
  std::vector<Value> mapped;
  const auto items = iterate(value, arguments.position);
  if (arguments.positional.empty()) {
    const auto bound = bind(arguments, "map", {"attribute", "default"});
    const auto attribute = bound.required(0).to_string();
    for (const auto& item : items) {
      auto result = get_path(item, attribute, arguments.position);
      if (result.is(Kind::undefined) && bound.given(1)) result = bound.get(1, Value::none());
      mapped.push_back(std::move(result));
    }
    return Value::list(std::move(mapped));
  }
  const auto& filter = arguments.positional.front();
  if (!filter.is(Kind::string) || !is_supported_filter(filter.as_string()))
    fail_at(arguments.position, ErrorKind::unsupported, "the filter " + filter.repr() + " is not supported");
  CallArguments rest{{arguments.positional.begin() + 1, arguments.positional.end()}, arguments.keyword, arguments.position};
  for (const auto& item : items) mapped.push_back(apply_filter(filter.as_string(), item, rest));
  return Value::list(std::move(mapped));
}

// jinja2's unique: first occurrences, strings compared without case unless case_sensitive.
Value unique_filter(const Value& value, const CallArguments& arguments) {
  const auto bound = bind(arguments, "unique", {"case_sensitive", "attribute"});
  const bool case_sensitive = bound.get(0, Value::boolean(false)).truthy();
  const auto attribute = bound.get(1, Value::none());
  std::vector<Value> seen, kept;
  for (const auto& item : iterate(value, arguments.position)) {
    auto key = attribute.is(Kind::none) ? item : get_path(item, attribute.to_string(), arguments.position);
    if (!case_sensitive && key.is(Kind::string)) key = Value::string(python_lower(key.as_string()));
    bool duplicate = false;
    for (const auto& s : seen) duplicate = duplicate || values_equal(s, key);
    if (duplicate) continue;
    seen.push_back(key);
    kept.push_back(item);
  }
  return Value::list(std::move(kept));
}

Value reverse_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "reverse", {});
  auto items = iterate(value, arguments.position);
  std::reverse(items.begin(), items.end());
  if (!value.is(Kind::string)) return Value::list(std::move(items));
  std::string out;
  for (const auto& c : items) out += c.as_string();
  return Value::string(out);
}

Value abs_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "abs", {});
  if (value.is(Kind::floating)) return Value::floating(std::fabs(value.as_double()));
  if (!value.is_number()) fail_at(arguments.position, ErrorKind::invalid_input, "bad operand type for abs(): '" + value.type_name() + "'");
  return Value::integer(value.as_integer() < 0 ? -value.as_integer() : value.as_integer());
}

Value safe_filter(const Value& value, const CallArguments& arguments) {
  bind(arguments, "safe", {});
  return Value::string(value.to_string());
}

const std::map<std::string, Filter>& filters() {
  static const std::map<std::string, Filter> table = {
      {"trim", trim_filter},
      {"tojson", tojson_filter},
      {"length", length_filter},
      {"count", length_filter},
      {"default", default_filter},
      {"d", default_filter},
      {"upper", [](const Value& v, const CallArguments& a) { return text_filter("upper", python_upper, v, a); }},
      {"lower", [](const Value& v, const CallArguments& a) { return text_filter("lower", python_lower, v, a); }},
      {"title", [](const Value& v, const CallArguments& a) { return text_filter("title", jinja_title, v, a); }},
      {"capitalize", [](const Value& v, const CallArguments& a) { return text_filter("capitalize", python_capitalize, v, a); }},
      {"replace", replace_filter},
      {"join", join_filter},
      {"first", first_filter},
      {"last", last_filter},
      {"list", list_filter},
      {"string", string_filter},
      {"int", int_filter},
      {"float", float_filter},
      {"items", items_filter},
      {"select", [](const Value& v, const CallArguments& a) { return select_filter(v, a, false, true); }},
      {"reject", [](const Value& v, const CallArguments& a) { return select_filter(v, a, false, false); }},
      {"selectattr", [](const Value& v, const CallArguments& a) { return select_filter(v, a, true, true); }},
      {"rejectattr", [](const Value& v, const CallArguments& a) { return select_filter(v, a, true, false); }},
      {"map", map_filter},
      {"unique", unique_filter},
      {"reverse", reverse_filter},
      {"abs", abs_filter},
      {"safe", safe_filter},
  };
  return table;
}

}  // namespace

bool is_supported_filter(const std::string& name) { return filters().count(name) > 0; }

Value apply_filter(const std::string& name, const Value& value, const CallArguments& arguments) {
  return filters().at(name)(value, arguments);
}

}  // namespace ft::jinja
