#include "engine/data/training_data.h"

#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using ft::DataLimits;
using ft::DataProblem;
using ft::DataValidationError;
using ft::TokenizedExample;
using ft::testing::TempFolder;

namespace {

constexpr int64_t roomy_context = 1024;

const ft::Tokenizer& tokenizer() {
  static const auto loaded = ft::Tokenizer::load(FT_FIXTURES "/hf/tiny-llama/tokenizer.model");
  return loaded;
}

ft::TrainingData load(const std::string& jsonl, int64_t context = roomy_context, const DataLimits& limits = {}) {
  TempFolder folder;
  return ft::load_training_data(folder.write("train.jsonl", jsonl), tokenizer(), context, "training_file", limits);
}

// The error load_training_data throws for `jsonl`; the test fails when it throws none.
DataValidationError validation_error(const std::string& jsonl, int64_t context = roomy_context,
                                     const DataLimits& limits = {}) {
  try {
    load(jsonl, context, limits);
  } catch (const DataValidationError& e) {
    return e;
  }
  throw std::logic_error("the file validated");
}

// The problems as "line N: message" lines, for checks that show all of them when they fail.
std::string listing(const std::vector<DataProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += "line " + std::to_string(p.line) + ": " + p.message + "\n";
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Appends `tokens` to `example`, each marked as completion or prompt.
void expect(TokenizedExample& example, const std::vector<int64_t>& tokens, uint8_t completion) {
  example.tokens.insert(example.tokens.end(), tokens.begin(), tokens.end());
  example.completion.insert(example.completion.end(), tokens.size(), completion);
}

}  // namespace

TEST_CASE("a prompt/completion example is [BOS] prompt, then completion [EOS] as completion tokens", "[data]") {
  const auto& t = tokenizer();
  const auto data = load(R"({"prompt": "What is two plus two?", "completion": "Four."})" "\n");
  REQUIRE(data.examples.size() == 1);
  TokenizedExample expected;
  expect(expected, {t.bos_id()}, 0);
  expect(expected, t.encode("What is two plus two?"), 0);
  expect(expected, t.encode("Four."), 1);
  expect(expected, {t.eos_id()}, 1);
  const auto& example = data.examples[0];
  CHECK(example.tokens == expected.tokens);
  CHECK(example.completion == expected.completion);
  CHECK(example.tokens.front() == 1);
  CHECK(example.tokens.back() == 2);
  CHECK(example.line == 1);
  CHECK(data.warnings.empty());
}

TEST_CASE("a chat example follows the documented template", "[data]") {
  const auto& t = tokenizer();
  const auto data = load(R"({"messages": [)"
                         R"({"role": "system", "content": "Be brief."},)"
                         R"({"role": "user", "content": "Hi"},)"
                         R"({"role": "assistant", "content": "Hello there", "weight": 0},)"
                         R"({"role": "user", "content": "Name a color"},)"
                         R"({"role": "assistant", "content": "Blue"}]})");
  REQUIRE(data.examples.size() == 1);
  TokenizedExample expected;
  expect(expected, {t.bos_id()}, 0);
  expect(expected, t.encode("system:"), 0);
  expect(expected, t.encode("Be brief."), 0);
  expect(expected, t.encode("user:"), 0);
  expect(expected, t.encode("Hi"), 0);
  expect(expected, t.encode("assistant:"), 0);
  expect(expected, t.encode("Hello there"), 0);  // weight 0: a prompt token, EOS included
  expect(expected, {t.eos_id()}, 0);
  expect(expected, t.encode("user:"), 0);
  expect(expected, t.encode("Name a color"), 0);
  expect(expected, t.encode("assistant:"), 0);
  expect(expected, t.encode("Blue"), 1);
  expect(expected, {t.eos_id()}, 1);
  const auto& example = data.examples[0];
  CHECK(example.tokens == expected.tokens);
  CHECK(example.completion == expected.completion);
  CHECK(t.decode(example.tokens) == "system: Be brief. user: Hi assistant: Hello there user: Name a color assistant: Blue");
}

TEST_CASE("blank lines, a byte order mark and CRLF line ends are accepted", "[data]") {
  const std::string first = R"({"prompt": "a b", "completion": "c"})";
  const std::string second = R"({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]})";
  const auto plain = load(first + "\n" + second + "\n");
  const auto tolerant = load("\xEF\xBB\xBF" + first + "\r\n\r\n  \t \r\n" + second + "\r\n\n");
  REQUIRE(tolerant.examples.size() == 2);
  CHECK(tolerant.examples[0].line == 1);
  CHECK(tolerant.examples[1].line == 4);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(tolerant.examples[i].tokens == plain.examples[i].tokens);
    CHECK(tolerant.examples[i].completion == plain.examples[i].completion);
  }
  CHECK(load(first).examples.size() == 1);  // no line end after the last line
}

TEST_CASE("every bad line is reported at once with its line number", "[data]") {
  const std::string good = R"({"prompt": "a", "completion": "b"})";
  const std::string too_long_prompt(300, 'x');
  // Each line and a part of the problem it must yield (empty for a line that must pass).
  const std::vector<std::pair<std::string, std::string>> lines = {
      {good, ""},
      {R"({"prompt": "a", "completion": )", "not valid JSON ("},
      {"[1, 2]", "the line is a JSON array, not an object"},
      {R"({"prompt": "a"})", "the example is missing \"completion\""},
      {R"({"prompt": 3, "completion": "b"})", "the example has \"prompt\" of type number (expected a string)"},
      {R"({"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "x"}]})",
       "message 2 has unknown role \"bot\" (expected system, user or assistant)"},
      {R"({"messages": [{"role": "user", "content": "hi"}]})", "the example has no assistant message"},
      {R"({"prompt": "a", "completion": ""})", "the example has an empty completion"},
      {"{\"prompt\": \"a\xff\", \"completion\": \"b\"}", "invalid UTF-8 at byte 14 of the line"},
      {R"({"prompt": "a", "completion": "b", "promt": 1})",
       "the example has unknown key \"promt\" (expected \"prompt\" and \"completion\")"},
      {"", ""},
      {R"({"prompt": ")" + too_long_prompt + R"(", "completion": "b"})", "more than the model's context of 64 tokens"},
      {R"({"messages": "hi"})", "the example has \"messages\" of type string (expected an array)"},
      {R"({"messages": [{"role": "assistant", "content": "y", "weight": 2}]})",
       "message 1 has weight 2 (expected 0 or 1)"},
      {R"({"messages": [{"role": "user", "content": "x", "weight": 1}, {"role": "assistant", "content": "y"}]})",
       "message 1 has a weight, but only assistant messages are weighted"},
      {std::string(100, '[') + std::string(100, ']'), "JSON nested deeper than 16 levels"},
      {R"({"prompt": "a", "completion": "b", "messages": []})", "has both \"messages\" and \"prompt\"/\"completion\""},
      {R"({"text": "a"})", "the example has neither \"messages\" nor \"prompt\" and \"completion\""},
      {R"({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 0}]})",
       "no assistant message with weight 1"},
      {R"({"messages": ["hi", {"role": "assistant", "content": "y"}]})", "message 1 has type string (expected an object)"},
      {R"({"messages": [{"content": "x"}, {"role": "assistant", "content": " "}]})", "message 1 is missing \"role\""},
      {R"({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": " "}]})",
       "message 2 is an assistant message with empty content"},
      {R"({"messages": [{"role": "assistant", "content": null}]})",
       "message 1 has \"content\" of type null (expected a string)"},
      {R"({"messages": [{"role": "assistant", "content": "y", "name": "bob"}]})",
       "message 1 has unknown key \"name\" (expected \"role\", \"content\" and \"weight\")"},
      {good, ""},
  };
  std::string jsonl;
  for (const auto& line : lines) jsonl += line.first + "\n";

  const auto error = validation_error(jsonl, 64);
  const auto& problems = error.problems();
  const auto all = listing(problems);
  CAPTURE(all);
  CHECK(error.kind() == ft::ErrorKind::invalid_input);
  CHECK(error.param() == "training_file");
  CHECK(error.total_problems() == static_cast<int64_t>(problems.size()));
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto line = static_cast<int64_t>(i + 1);
    const auto& expected = lines[i].second;
    CAPTURE(line, expected);
    const bool reported = contains(all, "line " + std::to_string(line) + ": ");
    if (expected.empty()) {
      CHECK_FALSE(reported);
    } else {
      CHECK(std::any_of(problems.begin(), problems.end(),
                        [&](const DataProblem& p) { return p.line == line && contains(p.message, expected); }));
    }
  }
  const std::string what = error.what();
  CHECK(contains(what, "train.jsonl: " + std::to_string(problems.size()) + " problems:\n  line 2: not valid JSON ("));
}

TEST_CASE("an example longer than the context says by how many tokens", "[data]") {
  const auto& t = tokenizer();
  const std::string prompt = "the quick brown fox jumps over the lazy dog";
  const auto length = static_cast<int64_t>(1 + t.encode(prompt).size() + t.encode("yes").size() + 1);
  const auto error = validation_error("\n" R"({"prompt": ")" + prompt + R"(", "completion": "yes"})", length - 3);
  REQUIRE(error.problems().size() == 1);
  CHECK(error.problems()[0].line == 2);
  CHECK(error.problems()[0].message == "the example is " + std::to_string(length) + " tokens long, 3 more than the " +
                                          "model's context of " + std::to_string(length - 3) + " tokens");
  CHECK(load("\n" R"({"prompt": ")" + prompt + R"(", "completion": "yes"})", length).examples.size() == 1);
}

TEST_CASE("a file with no examples is a problem of the whole file", "[data]") {
  for (const std::string jsonl : {"", "\n\r\n   \n", "\xEF\xBB\xBF"}) {
    const auto error = validation_error(jsonl);
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems()[0].line == 0);
    CHECK(std::string(error.what()).find("train.jsonl: 1 problem:\n  the file has no examples") != std::string::npos);
  }
}

TEST_CASE("a missing file is not_found and names the file", "[data]") {
  TempFolder folder;
  const auto missing = folder / "absent.jsonl";
  try {
    ft::load_training_data(missing, tokenizer(), roomy_context, "validation_file");
    FAIL("a missing file loaded");
  } catch (const DataValidationError&) {
    FAIL("a missing file is not a validation problem");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::not_found);
    CHECK(e.param() == "validation_file");
    CHECK(contains(e.what(), missing.string()));
  }
}

TEST_CASE("the error carries the parameter it is about", "[data]") {
  TempFolder folder;
  try {
    ft::load_training_data(folder.write("valid.jsonl", "nonsense\n"), tokenizer(), roomy_context, "validation_file");
    FAIL("a bad file loaded");
  } catch (const DataValidationError& e) {
    CHECK(e.param() == "validation_file");
    CHECK(contains(e.what(), "valid.jsonl: 1 problem:\n  line 1: not valid JSON ("));
  }
}

TEST_CASE("duplicate examples are a warning, not an error", "[data]") {
  const std::string a = R"({"prompt": "a", "completion": "b"})";
  const std::string b = R"({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]})";
  const auto data = load(a + "\n" + b + "\n" + a + "\n" + R"({"completion": "b", "prompt": "a"})" + "\n" + b + "\n");
  CHECK(data.examples.size() == 5);
  const auto all = listing(data.warnings);
  CHECK(all ==
        "line 3: duplicate of the example on line 1\n"
        "line 4: duplicate of the example on line 1\n"
        "line 5: duplicate of the example on line 2\n");
}

TEST_CASE("the report is capped and says how many more problems there are", "[data]") {
  std::string jsonl;
  for (int i = 0; i < 60; ++i) jsonl += "not json\n";
  const auto error = validation_error(jsonl);
  CHECK(error.problems().size() == 50);
  CHECK(error.problems().back().line == 50);
  CHECK(error.total_problems() == 60);
  const std::string what = error.what();
  CHECK(contains(what, "train.jsonl: 60 problems (the first 50 follow):\n  line 1: "));
  CHECK(what.substr(what.size() - 18) == "\n  ... and 10 more");
}

TEST_CASE("a large file reads in parallel shares, its examples and problems in file order", "[data]") {
  // 3000 lines, more than one reading thread's share, bad ones near the start, the middle and the end.
  std::string jsonl;
  const std::vector<int> bad = {3, 1500, 1501, 2999};
  for (int line = 1; line <= 3000; ++line) {
    const bool broken = std::find(bad.begin(), bad.end(), line) != bad.end();
    jsonl += broken ? "not json\n"
                    : R"({"prompt": "line )" + std::to_string(line) + R"(", "completion": " ok"})" + "\n";
  }
  const auto error = validation_error(jsonl);
  REQUIRE(error.problems().size() == bad.size());
  for (size_t i = 0; i < bad.size(); ++i) CHECK(error.problems()[i].line == bad[i]);

  std::string good;
  for (int line = 1; line <= 3000; ++line) good += R"({"prompt": "line )" + std::to_string(line) + R"(", "completion": " ok"})" + "\n";
  const auto data = load(good);
  REQUIRE(data.examples.size() == 3000);
  const auto first = load(R"({"prompt": "line 1", "completion": " ok"})" "\n");
  CHECK(data.examples.front().tokens == first.examples.front().tokens);
  for (size_t i = 0; i < data.examples.size(); ++i) CHECK(data.examples[i].line == static_cast<int64_t>(i + 1));
}

TEST_CASE("lines and files over their limits are reported, not read", "[data]") {
  const std::string good = R"({"prompt": "a", "completion": "b"})";
  DataLimits limits;
  limits.max_line_bytes = 100;
  const auto long_line = R"({"prompt": ")" + std::string(5000, 'x') + R"(", "completion": "b"})";
  const auto error = validation_error(good + "\n" + long_line + "\r\n" + good + "\n", roomy_context, limits);
  CHECK(listing(error.problems()) == "line 2: the line is longer than the limit of 100 bytes\n");

  limits = {};
  limits.max_file_bytes = 10;
  CHECK(listing(validation_error(good + "\n", roomy_context, limits).problems()) ==
        "line 0: the file is " + std::to_string(good.size() + 1) + " bytes, more than the limit of 10 bytes\n");
}

TEST_CASE("statistics count tokens per example, prompt and completion", "[data]") {
  const auto& t = tokenizer();
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"one", "two"}, {"three four five", "six seven"}, {"eight", "nine ten eleven twelve"}};
  std::string jsonl;
  std::vector<int64_t> lengths;
  int64_t prompt = 0, completion = 0;
  for (const auto& [p, c] : pairs) {
    jsonl += R"({"prompt": ")" + p + R"(", "completion": ")" + c + "\"}\n";
    prompt += 1 + static_cast<int64_t>(t.encode(p).size());
    completion += static_cast<int64_t>(t.encode(c).size()) + 1;
    lengths.push_back(2 + static_cast<int64_t>(t.encode(p).size() + t.encode(c).size()));
  }
  const auto s = load(jsonl).statistics;
  CHECK(s.example_tokens == lengths);  // in file order: the plan packs them as training will
  std::sort(lengths.begin(), lengths.end());
  CHECK(s.examples == 3);
  CHECK(s.prompt_tokens == prompt);
  CHECK(s.completion_tokens == completion);
  CHECK(s.total_tokens == prompt + completion);
  CHECK(s.min_tokens == lengths[0]);
  CHECK(s.max_tokens == lengths[2]);
  CHECK(s.mean_tokens == static_cast<double>(prompt + completion) / 3);
  CHECK(s.median_tokens == lengths[1]);
  CHECK(s.p95_tokens == lengths[2]);
}

TEST_CASE("the median and 95th percentile are nearest-rank", "[data]") {
  std::vector<TokenizedExample> examples;
  for (int64_t length = 20; length >= 1; --length) {
    TokenizedExample example;
    example.tokens.assign(static_cast<size_t>(length), 7);
    example.completion.assign(static_cast<size_t>(length), length % 2);
    examples.push_back(example);
  }
  const auto s = ft::measure_examples(examples);
  CHECK(s.examples == 20);
  CHECK(s.total_tokens == 210);
  CHECK(s.completion_tokens == 100);  // the odd lengths 1 + 3 + ... + 19
  CHECK(s.prompt_tokens == 110);
  CHECK(s.min_tokens == 1);
  CHECK(s.max_tokens == 20);
  CHECK(s.mean_tokens == 10.5);
  CHECK(s.median_tokens == 10);  // the 10th of 20
  CHECK(s.p95_tokens == 19);     // the 19th of 20
  CHECK(ft::measure_examples({}).examples == 0);
}
