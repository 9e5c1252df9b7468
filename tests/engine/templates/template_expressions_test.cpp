#include "tests/catch.h"
#include "tests/engine/templates/template_test_support.h"

using ft::jinja::render;

TEST_CASE("literals print as Python prints them", "[templates]") {
  CHECK(render("{{ 1 }} {{ -2 }} {{ 1.0 }} {{ 0.1 }} {{ 1e20 }} {{ 1e-5 }} {{ 2.5e-3 }}") ==
        "1 -2 1.0 0.1 1e+20 1e-05 0.0025");
  CHECK(render("{{ true }} {{ False }} {{ none }} {{ None }}") == "True False None None");
  CHECK(render(R"({{ 'a' "b" }} {{ "it's" }} {{ 'tab\tnew\nline' }})") == "ab it's tab\tnew\nline");
  CHECK(render(R"({{ [1, 'a', none, true, 1.5] }} {{ (1,) }} {{ () }} {{ {'k': 'v', "n": [2]} }})") ==
        "[1, 'a', None, True, 1.5] (1,) () {'k': 'v', 'n': [2]}");
  CHECK(render(R"({{ ["it's", 'say "hi"', 'a\nb'] }})") == R"(["it's", 'say "hi"', 'a\nb'])");
}

TEST_CASE("arithmetic follows Python", "[templates]") {
  CHECK(render("{{ 1 + 2 }} {{ 7 - 10 }} {{ 3 * 4 }} {{ 1 / 2 }} {{ 4 / 2 }}") == "3 -3 12 0.5 2.0");
  CHECK(render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7.5 // 2 }}") == "3 -4 1 2 1024 3.0");
  CHECK(render("{{ 'ab' + 'cd' }} {{ 'ab' * 2 }} {{ [1] + [2] }} {{ true + 1 }}") == "abcd abab [1, 2] 2");
  CHECK(render("{{ 'n=' ~ 1 ~ none ~ undefined_name }}") == "n=1None");
  CHECK(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }}") == "7 9 4 64");
}

TEST_CASE("comparisons, membership and logic", "[templates]") {
  CHECK(render("{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}") ==
        "True True True True True False");
  CHECK(render("{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in 'abc' }}") ==
        "True True True True");
  CHECK(render("{{ 0 or 'fallback' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ not '' }} {{ not 1 }}") ==
        "fallback b |True False");
  CHECK(render("{{ not 1 == 2 }} {{ not 1 in [1] }}") == "True False");
}

TEST_CASE("the conditional expression", "[templates]") {
  CHECK(render("{{ 'yes' if x else 'no' }}", R"({"x": 1})") == "yes");
  CHECK(render("{{ 'yes' if x else 'no' }}", R"({"x": []})") == "no");
  CHECK(render("[{{ 'yes' if x }}]", R"({"x": 0})") == "[]");
  CHECK(render("{{ 'a' if false else 'b' if true else 'c' }}") == "b");
}

TEST_CASE("subscripts, slices and attributes", "[templates]") {
  const auto messages = R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                                         {"role": "assistant", "content": "a"}]})";
  CHECK(render("{{ messages[0]['role'] }} {{ messages[0].role }} {{ messages[-1].content }} {{ messages.1.role }}",
               messages) == "system system a user");
  CHECK(render("{% for m in messages[1:] %}{{ m.role }} {% endfor %}", messages) == "user assistant ");
  CHECK(render("{% for m in messages[::-1] %}{{ m.content }}{% endfor %}", messages) == "aus");
  CHECK(render("{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ 'hello'[-1] }} {{ [1, 2, 3][:-1] }} {{ [1,2,3,4,5][4:0:-2] }}") ==
        "el olleh o [1, 2] [5, 3]");
  CHECK(render("[{{ messages[7] }}][{{ messages[0].name }}]", messages) == "[][]");
  CHECK(render("{{ 'héllo'[1] }}{{ 'héllo'|length }}") == "é5");
}

TEST_CASE("string methods", "[templates]") {
  CHECK(render("[{{ '  a b  '.strip() }}][{{ '  a'.lstrip() }}][{{ 'a  '.rstrip() }}][{{ 'xxaxx'.strip('x') }}]") ==
        "[a b][a][a][a]");
  CHECK(render("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'hello'.startswith('lo') }}") ==
        "True True False");
  CHECK(render("{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }}") ==
        "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c']");
  CHECK(render("{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ \"hello world's\".title() }} {{ 'hELLO'.capitalize() }}") ==
        "AB ab Hello World'S Hello");
  CHECK(render("{{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c'.replace('-', '', 1) }} {{ ', '.join(['x', 'y']) }}") ==
        "a+b+c ab-c x, y");
  CHECK(render("{{ '\u3000 wide \u00a0'.strip() }}") == "wide");
}

TEST_CASE("dict methods", "[templates]") {
  const auto d = R"({"d": {"b": 1, "a": 2}})";
  CHECK(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", d) == "b=1;a=2;");
  CHECK(render("{{ d.keys() }} {{ d.values() }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}", d) ==
        "['b', 'a'] [1, 2] 2 None 0");
  CHECK(render("{% for k in d %}{{ k }}{% endfor %}", d) == "ba");
}

TEST_CASE("tests: is defined, none, string, mapping, iterable, number, true, false", "[templates]") {
  const auto v = R"({"s": "x", "n": null, "d": {}, "l": [], "i": 3, "f": 1.5, "t": true})";
  CHECK(render("{{ s is defined }} {{ nope is defined }} {{ nope is undefined }} {{ n is none }} {{ s is not none }}", v) ==
        "True False True True True");
  CHECK(render("{{ s is string }} {{ i is string }} {{ d is mapping }} {{ l is mapping }}", v) == "True False True False");
  CHECK(render("{{ l is iterable }} {{ s is iterable }} {{ i is iterable }} {{ nope is iterable }}", v) ==
        "True True False True");
  CHECK(render("{{ i is number }} {{ f is number }} {{ s is number }} {{ t is number }} {{ i is integer }} {{ f is float }}", v) ==
        "True True False True True True");
  CHECK(render("{{ t is true }} {{ t is false }} {{ 1 is true }} {{ false is false }} {{ t is boolean }}", v) ==
        "True False False True True");
  CHECK(render("{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 'a' is equalto 'a' }}") ==
        "True True True False True");
  CHECK(render("{{ 'a' is in ['a'] }} {{ 2 is eq 2 }} {{ 3 is gt 2 }} {{ 'abc' is lower }} {{ 'ABC' is upper }}") ==
        "True True True True True");
}

TEST_CASE("undefined values behave as jinja2's default Undefined", "[templates]") {
  CHECK(render("[{{ nope }}]") == "[]");
  CHECK(render("{% if nope %}yes{% else %}no{% endif %}") == "no");
  CHECK(render("{% for x in nope %}x{% else %}empty{% endfor %}") == "empty");
  CHECK(render("{{ nope | length }} {{ nope | default('d') }} [{{ nope | trim }}] {{ nope == nope }}") == "0 d [] True");
}

TEST_CASE("globals: namespace, range, dict", "[templates]") {
  CHECK(render("{% set ns = namespace(n=0, s='') %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}") == "3");
  CHECK(render("{{ range(2, 8, 3) }} {{ range(3, 0, -1) }}") == "[2, 5] [3, 2, 1]");
  CHECK(render("{{ dict(a=1, b='x') }}") == "{'a': 1, 'b': 'x'}");
  CHECK(render("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns.c is defined }}") == "12False");
}
