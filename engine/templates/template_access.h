// Reading into values as jinja2 does: attributes and subscripts (where a dict's key and its
// attribute stand in for each other, and what is missing is undefined rather than an error),
// slices, iteration and len(). Using an undefined value here fails with jinja2's reason
// ("'foo' is undefined").
#pragma once

#include "engine/templates/template_value.h"

#include <optional>
#include <string>
#include <vector>

namespace ft::jinja {

// value.name: a method, else a dict's key or a namespace's attribute, else undefined.
Value get_attribute(const Value& value, const std::string& name, SourcePosition position);
// value[key]: a dict's key, a list's or string's index (negative from the end), else as
// get_attribute for a string key, else undefined.
Value get_item(const Value& value, const Value& key, SourcePosition position);
// value[start:stop:step] of a list, tuple or string, as Python slices (nothing given is null).
Value get_slice(const Value& value, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
                const std::optional<int64_t>& step, SourcePosition position);

// The items a for loop visits: a list's items, a dict's keys, a string's characters; an undefined
// value has none.
std::vector<Value> iterate(const Value& value, SourcePosition position);
int64_t length(const Value& value, SourcePosition position);

// Fails with the reason of an undefined value; does nothing for other values.
void require_defined(const Value& value, SourcePosition position);

}  // namespace ft::jinja
