// Hugging Face renders with trim_blocks=True and lstrip_blocks=True; these cases were checked
// against jinja2 configured that way.
#include "tests/catch.h"
#include "tests/engine/templates/template_test_support.h"

using ft::jinja::render;

TEST_CASE("trim_blocks removes the newline after a block tag, not after an expression", "[templates]") {
  CHECK(render("{% if true %}\nyes\n{% endif %}\nafter") == "yes\nafter");
  CHECK(render("{{ 'x' }}\ny") == "x\ny");
  CHECK(render("{# note #}\nz") == "z");
}

TEST_CASE("lstrip_blocks removes indentation before a block tag on its own line", "[templates]") {
  CHECK(render("a\n    {% if true %}\n    b\n    {% endif %}\nc") == "a\n    b\nc");
  CHECK(render("a  {% if true %}b{% endif %}") == "a  b");
  CHECK(render("  {% if true %}x{% endif %}") == "x");
  CHECK(render("\t {# c #}\nq") == "q");
  CHECK(render("  {{ 'v' }}") == "  v");
}

TEST_CASE("minus strips all whitespace on its side, plus keeps it", "[templates]") {
  CHECK(render("a  \n  {%- if true -%}  \n  b  {%- endif %}") == "ab");
  CHECK(render("a \n {{- 'x' -}} \n b") == "axb");
  CHECK(render("  {%+ if true %}x{% endif %}") == "  x");
  CHECK(render("{% if true +%}\nx{% endif %}") == "\nx");
  CHECK(render("x {#- c -#} y") == "xy");
}

TEST_CASE("line ends and the last newline", "[templates]") {
  CHECK(render("a\r\nb\rc\n") == "a\nb\nc");
  CHECK(render("a\n\n") == "a\n");
}
