// Rendering a template text with a few variables, for the interpreter's tests.
#pragma once

#include "engine/templates/template_evaluator.h"
#include "engine/templates/template_parser.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ft::jinja {

// Renders `source` with the variables of a JSON object (in its order), as a test reads best:
// render("{{ x }}", R"({"x": 1})").
inline std::string render(const std::string& source, const std::string& variables_json = "{}") {
  const auto json = nlohmann::ordered_json::parse(variables_json);
  ValueDict variables;
  for (const auto& [key, value] : json.items()) variables.set(key, Value::from_json(value));
  return render_template(parse_template(source), variables);
}

}  // namespace ft::jinja
