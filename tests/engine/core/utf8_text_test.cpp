#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"
#include "tests/catch.h"

namespace {

std::string json_error(const std::string& text) {
  try {
    ft::parse_json(text, "doc.json");
  } catch (const ft::Error& e) {
    return e.what();
  }
  FAIL("no error for invalid JSON");
  return "";
}

}  // namespace

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal ill-formed sequence", "[utf8]") {
  CHECK(ft::utf8_lossy("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(ft::utf8_lossy("\xE2\x82" "x") == "\xEF\xBF\xBD" "x");       // a truncated 3-byte sequence is one
  CHECK(ft::utf8_lossy("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is three
  CHECK(ft::utf8_lossy("\xC3\xA9") == "\xC3\xA9");
  CHECK(ft::is_valid_utf8("\xF0\x9F\x99\x82"));
  CHECK_FALSE(ft::is_valid_utf8("\xC0\xAF"));  // overlong
}

TEST_CASE("excerpts are cut on character boundaries and say so", "[utf8]") {
  CHECK(ft::utf8_prefix("abc", 3) == "abc");
  CHECK(ft::utf8_prefix("ab\xC3\xA9", 3) == "ab...");  // é is not split
  CHECK(ft::utf8_suffix("\xC3\xA9" "ab", 3) == "...ab");
  CHECK(ft::quoted_excerpt("bot") == "\"bot\"");
  CHECK(ft::quoted_excerpt(std::string(50, 'x') + "\n", 4) == "\"xxxx\"...");
  CHECK(ft::quoted_excerpt("a\nb\xFF") == "\"a\\nb\xEF\xBF\xBD\"");
}

TEST_CASE("an error message is valid UTF-8 whatever it quotes", "[utf8]") {
  const ft::Error e(ft::ErrorKind::invalid_input, "/data/caf\xE9.jsonl: no such file", "training_\xFF");
  CHECK(std::string(e.what()) == "/data/caf\xEF\xBF\xBD.jsonl: no such file");
  CHECK(e.param() == "training_\xEF\xBF\xBD");
}

TEST_CASE("a JSON syntax error quotes the end of the token it stopped in, short and valid", "[utf8][json]") {
  const auto bad_bytes = json_error("{\"a\": 1\xFF\xFE}");
  CHECK(ft::is_valid_utf8(bad_bytes));
  CHECK_THAT(bad_bytes, Catch::Matchers::StartsWith("doc.json: not valid JSON (") && Catch::Matchers::Contains("last read: '"));

  const auto long_string = json_error("[\"" + std::string(100000, 'x') + "\x01\"]");
  CHECK(long_string.size() < 300);
  CHECK_THAT(long_string, Catch::Matchers::Contains("last read: '...xxx") && Catch::Matchers::Contains("<U+0001>'"));

  const auto expected = json_error("{\"k\" \"v\"}");  // the message ends "; expected ':'"
  CHECK_THAT(expected, Catch::Matchers::EndsWith("expected ':')"));

  const auto overflow = json_error("[1" + std::string(5000, '0') + "e999]");
  CHECK_THAT(overflow, Catch::Matchers::Contains("number overflow"));
  CHECK(overflow.size() < 300);
}
