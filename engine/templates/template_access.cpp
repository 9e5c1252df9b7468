#include "engine/templates/template_access.h"

#include "engine/templates/python_text.h"
#include "engine/templates/template_methods.h"

namespace ft::jinja {

namespace {

Value missing_attribute(const Value& value, const std::string& name) {
  return Value::undefined("'" + value.type_name() + " object' has no attribute '" + name + "'");
}

std::vector<Value> characters(const std::string& text) {
  std::vector<Value> out;
  for (auto c : code_points(text)) out.push_back(Value::string(utf8(c)));
  return out;
}

// Python's slice.indices: the start, stop and step clamped to a sequence of length n.
void clamp_slice(int64_t n, const std::optional<int64_t>& start, const std::optional<int64_t>& stop, int64_t step,
                 int64_t& from, int64_t& to) {
  const auto clamp = [n, step](int64_t index) {
    if (index < 0) index += n;
    if (step > 0) return index < 0 ? 0 : (index > n ? n : index);
    return index < 0 ? -1 : (index >= n ? n - 1 : index);
  };
  from = start ? clamp(*start) : (step > 0 ? 0 : n - 1);
  to = stop ? clamp(*stop) : (step > 0 ? n : -1);
}

}  // namespace

void require_defined(const Value& value, SourcePosition position) {
  if (value.is(Value::Kind::undefined)) fail_at(position, ErrorKind::invalid_input, value.undefined_reason());
}

Value get_attribute(const Value& value, const std::string& name, SourcePosition position) {
  require_defined(value, position);
  if (auto method = find_method(value, name, position)) return *method;
  if (value.is(Value::Kind::dict)) {
    if (const auto* found = value.as_dict().find(name)) return *found;
  } else if (value.is(Value::Kind::namespace_object)) {
    if (const auto* found = value.as_namespace().attributes.find(name)) return *found;
  }
  return missing_attribute(value, name);
}

Value get_item(const Value& value, const Value& key, SourcePosition position) {
  require_defined(value, position);
  const bool integer_key = key.is(Value::Kind::integer) || key.is(Value::Kind::boolean);
  if (value.is(Value::Kind::dict) && key.is(Value::Kind::string)) {
    if (const auto* found = value.as_dict().find(key.as_string())) return *found;
  } else if ((value.is(Value::Kind::list) || value.is(Value::Kind::string)) && integer_key) {
    const auto items = value.is(Value::Kind::list) ? value.as_list().items : characters(value.as_string());
    auto index = key.as_integer();
    if (index < 0) index += static_cast<int64_t>(items.size());
    if (index >= 0 && index < static_cast<int64_t>(items.size())) return items[static_cast<size_t>(index)];
    return Value::undefined(value.type_name() + " object has no element " + std::to_string(key.as_integer()));
  }
  if (key.is(Value::Kind::string)) return get_attribute(value, key.as_string(), position);
  return Value::undefined(value.type_name() + " object has no element " + key.repr());
}

Value get_slice(const Value& value, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
                const std::optional<int64_t>& step, SourcePosition position) {
  require_defined(value, position);
  const auto stride = step.value_or(1);
  if (stride == 0) fail_at(position, ErrorKind::invalid_input, "slice step cannot be zero");
  std::vector<Value> items;
  if (value.is(Value::Kind::list)) items = value.as_list().items;
  else if (value.is(Value::Kind::string)) items = characters(value.as_string());
  else fail_at(position, ErrorKind::invalid_input, "'" + value.type_name() + "' object is not subscriptable");
  int64_t from = 0, to = 0;
  clamp_slice(static_cast<int64_t>(items.size()), start, stop, stride, from, to);
  std::vector<Value> picked;
  for (auto i = from; stride > 0 ? i < to : i > to; i += stride) picked.push_back(items[static_cast<size_t>(i)]);
  if (value.is(Value::Kind::list)) return Value::list(std::move(picked), value.as_list().is_tuple);
  std::string text;
  for (const auto& c : picked) text += c.as_string();
  return Value::string(text);
}

std::vector<Value> iterate(const Value& value, SourcePosition position) {
  switch (value.kind()) {
    case Value::Kind::undefined: return {};
    case Value::Kind::list: return value.as_list().items;
    case Value::Kind::string: return characters(value.as_string());
    case Value::Kind::dict: {
      std::vector<Value> keys;
      for (const auto& entry : value.as_dict().entries()) keys.push_back(Value::string(entry.first));
      return keys;
    }
    default: fail_at(position, ErrorKind::invalid_input, "'" + value.type_name() + "' object is not iterable");
  }
}

int64_t length(const Value& value, SourcePosition position) {
  switch (value.kind()) {
    case Value::Kind::undefined: return 0;
    case Value::Kind::list: return static_cast<int64_t>(value.as_list().items.size());
    case Value::Kind::dict: return static_cast<int64_t>(value.as_dict().entries().size());
    case Value::Kind::string: return static_cast<int64_t>(code_points(value.as_string()).size());
    default: fail_at(position, ErrorKind::invalid_input, "object of type '" + value.type_name() + "' has no len()");
  }
}

}  // namespace ft::jinja
