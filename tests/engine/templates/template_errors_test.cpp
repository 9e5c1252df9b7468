// Every failure names what failed and where, never a silently different output.
#include "engine/core/error.h"
#include "tests/catch.h"
#include "tests/engine/templates/template_test_support.h"

using ft::jinja::render;

namespace {

// The message of the ft::Error that rendering throws, and its kind.
std::string error_of(const std::string& source, const std::string& variables = "{}",
                     ft::ErrorKind* kind = nullptr) {
  try {
    render(source, variables);
  } catch (const ft::Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an unsupported filter is named with its line and column, even where it would not run", "[templates]") {
  ft::ErrorKind kind{};
  CHECK(error_of("a\nb\n{% if false %}{{ x | wordcount }}{% endif %}", "{}", &kind) ==
        "chat_template line 3, column 22: the filter 'wordcount' is not supported");
  CHECK(kind == ft::ErrorKind::unsupported);
  CHECK(error_of("{{ x is sameas y }}") == "chat_template line 1, column 9: the test 'sameas' is not supported");
}

TEST_CASE("unsupported tags and methods are named", "[templates]") {
  CHECK(error_of("{% include 'x' %}") == "chat_template line 1, column 4: the tag 'include' is not supported");
  CHECK(error_of("{% for x in y recursive %}{% endfor %}") == "chat_template line 1, column 15: recursive loops are not supported");
  CHECK(error_of("{{ 'a {}'.format(1) }}") == "chat_template line 1, column 10: the method str.format() is not supported");
  CHECK(error_of("{{ [].append(1) }}") == "chat_template line 1, column 6: the method list.append() is not supported");
  CHECK(error_of("{{ '%s' % 1 }}") == "chat_template line 1, column 9: string formatting with '%' is not supported");
}

TEST_CASE("raise_exception fails with the template's message", "[templates]") {
  ft::ErrorKind kind{};
  CHECK(error_of("{% if true %}\n  {{ raise_exception('Roles must alternate') }}{% endif %}", "{}", &kind) ==
        "chat_template line 2, column 6: the template raised an error: Roles must alternate");
  CHECK(kind == ft::ErrorKind::invalid_input);
}

TEST_CASE("syntax errors say what was expected", "[templates]") {
  CHECK(error_of("{% if x %}open") == "chat_template line 1, column 1: this block is not closed: '{% endif %}' is missing");
  CHECK(error_of("{{ 1 + }}") == "chat_template line 1, column 8: expected an expression, found '}}'");
  CHECK(error_of("{% endfor %}") == "chat_template line 1, column 4: '{% endfor %}' without a block to close");
  CHECK(error_of("{{ 'abc }}") == "chat_template line 1, column 4: the string is not closed");
  CHECK(error_of("{# open") == "chat_template line 1, column 1: the comment is not closed with '#}'");
  CHECK(error_of("{{ x") == "chat_template line 1, column 1: the expression is not closed with '}}'");
}

TEST_CASE("using an undefined value further fails as in jinja2", "[templates]") {
  CHECK(error_of("{{ foo.bar }}") == "chat_template line 1, column 7: 'foo' is undefined");
  CHECK(error_of("{{ d.x.y }}", R"({"d": {}})") == "chat_template line 1, column 7: 'dict object' has no attribute 'x'");
  CHECK(error_of("{{ nope + 1 }}") == "chat_template line 1, column 9: 'nope' is undefined");
  CHECK(error_of("{{ nope | tojson }}") ==
        "chat_template line 1, column 11: tojson: Object of type Undefined is not JSON serializable");
}

TEST_CASE("type errors name the types", "[templates]") {
  CHECK(error_of("{{ 1 + 'a' }}") == "chat_template line 1, column 6: unsupported operand type(s) for +: 'int' and 'str'");
  CHECK(error_of("{{ 1 < 'a' }}") == "chat_template line 1, column 4: '<' not supported between instances of 'int' and 'str'");
  CHECK(error_of("{% for x in 3 %}{% endfor %}") == "chat_template line 1, column 13: 'int' object is not iterable");
  CHECK(error_of("{{ 'x'.strip(1, 2) }}") == "chat_template line 1, column 7: str.strip() takes at most 1 argument (2 given)");
  CHECK(error_of("{% set x = 1 %}{% set x.y = 2 %}") ==
        "chat_template line 1, column 16: cannot assign attribute on non-namespace object 'x'");
}
