#include "tests/catch.h"
#include "tests/engine/templates/template_test_support.h"

using ft::jinja::render;

TEST_CASE("text filters", "[templates]") {
  CHECK(render("[{{ '  x  ' | trim }}][{{ 'xxyxx' | trim('x') }}]") == "[x][y]");
  CHECK(render("{{ 'aB' | upper }} {{ 'aB' | lower }} {{ 'hello wORLD-x' | title }} {{ 'hELLO wORLD' | capitalize }}") ==
        "AB ab Hello World-X Hello world");
  CHECK(render("{{ 'a-b-c' | replace('-', '.') }} {{ 'a-b-c' | replace('-', '.', 1) }}") == "a.b.c a.b-c");
  CHECK(render("{{ 1 | string }}{{ none | string }} {{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }}") ==
        "1None 43 4 0 7");
  CHECK(render("{{ '1.5' | float }} {{ 2 | float }} {{ -3 | abs }} {{ 'x' | safe }}") == "1.5 2.0 3 x");
}

TEST_CASE("tojson is json.dumps with ensure_ascii=False", "[templates]") {
  const auto v = R"({"tool": {"name": "f", "n": 1.0, "ok": true, "none": null, "list": [1, "é\n\"q\""], "empty": {}}})";
  CHECK(render("{{ tool | tojson }}", v) ==
        R"({"name": "f", "n": 1.0, "ok": true, "none": null, "list": [1, "é\n\"q\""], "empty": {}})");
  CHECK(render("{{ tool.list | tojson(indent=2) }}", v) == "[\n  1,\n  \"é\\n\\\"q\\\"\"\n]");
  CHECK(render("{{ {'b': 1, 'a': [] } | tojson(indent=1, sort_keys=true) }}") == "{\n \"a\": [],\n \"b\": 1\n}");
  CHECK(render("{{ 'é' | tojson(ensure_ascii=true) }} {{ '😀' | tojson(true) }}") == R"("\u00e9" "\ud83d\ude00")");
  CHECK(render("{{ {'a': 1} | tojson(separators=(',', ':')) }} {{ (1, 2) | tojson }}") == R"({"a":1} [1, 2])");
}

TEST_CASE("sequence filters", "[templates]") {
  const auto v = R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"},
                                  {"role": "assistant", "content": "a"}, {"role": "user", "content": "u2"}]})";
  CHECK(render("{{ messages | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }}", v) == "4 5 1");
  CHECK(render("{{ (messages | first).role }} {{ (messages | last).content }} {{ [] | first is defined }}", v) ==
        "system u2 False");
  CHECK(render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(', ') }}", v) ==
        "u1, u2");
  CHECK(render("{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | list }}", v) ==
        "['system', 'assistant']");
  CHECK(render("{{ messages | selectattr('role', '==', 'assistant') | list | length }}", v) == "1");
  CHECK(render("{{ [0, 1, '', 'x'] | select | list }} {{ [1, 2, 3] | reject('odd') | list }}") == "[1, 'x'] [2]");
  CHECK(render("{{ messages | join(',', attribute='role') }} {{ ['a', 1] | join }}", v) == "system,user,assistant,user a1");
  CHECK(render("{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ [3, 1] | reverse | list }} {{ 'abc' | reverse }}") ==
        "['a', 'b'] [1, 3] cba");
  CHECK(render("{{ {'x': 1, 'y': 2} | items | list }} {{ 'ab' | list }}") == "[('x', 1), ('y', 2)] ['a', 'b']");
  CHECK(render("{{ ['  a ', 'b '] | map('trim') | join('|') }}") == "a|b");
}

TEST_CASE("default and d", "[templates]") {
  CHECK(render("{{ nope | default('x') }} {{ nope | d('y') }} [{{ nope | default }}] {{ '' | default('z') }} "
               "{{ '' | default('z', true) }} {{ none | default('n') }}") == "x y []  z None");
}
