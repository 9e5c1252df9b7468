// json.dumps as transformers' tojson filter calls it (json.dumps(x, ensure_ascii=False,
// indent=None, separators=None, sort_keys=False) by default): Python's separators (", " and ": ",
// or "," with an indent), float repr, NaN and Infinity, and its string escapes. Tool schemas in
// a prompt are printed this way, so the bytes must be Python's.
#pragma once

#include "engine/templates/template_value.h"

#include <optional>
#include <string>

namespace ft::jinja {

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // the text of one level of indentation; none: all on one line
  std::optional<std::string> item_separator;  // default ", " without indent, "," with it
  std::optional<std::string> key_separator;   // default ": "
  bool sort_keys = false;
};

std::string python_json_dumps(const Value& value, const JsonDumpOptions& options, SourcePosition position);

}  // namespace ft::jinja
