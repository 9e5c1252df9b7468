#include "tests/catch.h"
#include "tests/engine/templates/template_test_support.h"

using ft::jinja::render;

TEST_CASE("if, elif, else", "[templates]") {
  const auto source = "{% if x == 1 %}one{% elif x == 2 %}two{% elif x == 3 %}three{% else %}many{% endif %}";
  CHECK(render(source, R"({"x": 1})") == "one");
  CHECK(render(source, R"({"x": 3})") == "three");
  CHECK(render(source, R"({"x": 9})") == "many");
  CHECK(render("{% if false %}no{% endif %}") == "");
}

TEST_CASE("for loops and the loop variable", "[templates]") {
  CHECK(render("{% for x in [10, 20, 30] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
               "{{ loop.length }}{{ loop.revindex }};{% endfor %}") ==
        "10TrueFalse33;21FalseFalse32;32FalseTrue31;");
  CHECK(render("{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }} {% endfor %}") == "-2 1-3 2- ");
  CHECK(render("{% for x in [1, 2] %}{{ loop.cycle('a', 'b') }}{% endfor %}") == "ab");
  CHECK(render("{% for x in [] %}x{% else %}none{% endfor %}") == "none");
  CHECK(render("{% for c in 'hé' %}[{{ c }}]{% endfor %}") == "[h][é]");
}

TEST_CASE("for loops filtered by a condition count only what they keep", "[templates]") {
  CHECK(render("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}") ==
        "2:1/2 4:2/2 ");
  CHECK(render("{% for x in [1, 3] if x is even %}x{% else %}none{% endfor %}") == "none");
}

TEST_CASE("break and continue", "[templates]") {
  CHECK(render("{% for x in range(10) %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}") == "012");
  CHECK(render("{% for x in range(5) %}{% if x is odd %}{% continue %}{% endif %}{{ x }}{% endfor %}") == "024");
}

TEST_CASE("set, scoping and namespaces", "[templates]") {
  CHECK(render("{% set x = 1 %}{% set y = x + 1 %}{{ x }}{{ y }}") == "12");
  CHECK(render("{% set a, b = [1, 2] %}{{ b }}{{ a }}") == "21");
  // A set inside a loop is local to its iteration, as in jinja2.
  CHECK(render("{% set x = 0 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 1 %}{{ x }}{% endfor %}{{ x }}") == "01010");
  CHECK(render("{% set ns = namespace(found=false) %}{% for m in [1, 2] %}{% if m == 2 %}{% set ns.found = true %}"
               "{% endif %}{% endfor %}{{ ns.found }}") == "True");
  CHECK(render("{% if true %}{% set x = 5 %}{% endif %}{{ x }}") == "5");
  CHECK(render("{% set block %}a{{ 1 + 1 }}b{% endset %}[{{ block }}]") == "[a2b]");
}

TEST_CASE("macros and calls", "[templates]") {
  CHECK(render("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}"
               "{{ greet('Ann') }} {{ greet('Bo', greeting='Hi') }} {{ greet(name='Cy') }}") ==
        "Hello, Ann! Hi, Bo! Hello, Cy!");
  // A macro sees the template's top-level variables at the time it is called.
  CHECK(render("{% macro show() %}{{ x }}{% endmacro %}{% set x = 5 %}{{ show() }}") == "5");
  CHECK(render("{% macro f(a) %}[{{ a }}]{% endmacro %}{{ f() }}") == "[]");
  CHECK(render("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}") == "321");
}

TEST_CASE("comments produce nothing", "[templates]") {
  CHECK(render("a{# a comment {{ with }} {% tags %} #}b") == "ab");
}

TEST_CASE("transformers' generation block renders its body", "[templates]") {
  CHECK(render("{% generation %}reply{% endgeneration %}") == "reply");
}
