// tokenizer-parity MODEL CASES: checks the engine's tokenizer against sentencepiece. MODEL is a
// tokenizer.model; CASES is JSON Lines, one {"hex": the text's bytes, "ids": sentencepiece's ids}
// per line, as made by tests/oracle/tokenizer_cases.py (hex, because a line may be invalid UTF-8).
// Prints the count and the first mismatches; exits 0 when every line matches, 1 when any
// differs, 2 when a file cannot be read.
#include "engine/core/error.h"
#include "engine/data/jsonl_reader.h"
#include "engine/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr int kMismatchesShown = 5;
constexpr size_t kMaxLineBytes = 1 << 20;

std::string from_hex(const std::string& hex, const std::string& where) {
  if (hex.size() % 2 != 0) throw ft::Error(ft::ErrorKind::invalid_input, where + ": \"hex\" has an odd length");
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    size_t used = 0;
    const int byte = std::stoi(hex.substr(i, 2), &used, 16);
    if (used != 2) throw ft::Error(ft::ErrorKind::invalid_input, where + ": \"hex\" is not hexadecimal");
    bytes.push_back(static_cast<char>(byte));
  }
  return bytes;
}

std::string ids_text(const std::vector<int64_t>& ids) {
  std::string s;
  for (auto id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

int run(const std::string& model_path, const std::string& cases_path) {
  const auto tokenizer = ft::Tokenizer::load(model_path);
  size_t lines = 0, matching = 0;
  ft::JsonLinesReader reader(cases_path, kMaxLineBytes);
  for (ft::JsonLine line; reader.next(line);) {
    if (line.text.empty()) continue;
    const auto where = cases_path + ":" + std::to_string(line.number);
    const auto doc = nlohmann::json::parse(line.text);
    const auto text = from_hex(doc.at("hex").get<std::string>(), where);
    const auto expected = doc.at("ids").get<std::vector<int64_t>>();
    const auto ids = tokenizer.encode(text);
    ++lines;
    if (ids == expected) {
      ++matching;
    } else if (lines - matching <= kMismatchesShown) {
      const auto shown = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      std::printf("  %s: %s\n    engine:        %s\n    sentencepiece: %s\n", where.c_str(), shown.c_str(),
                  ids_text(ids).c_str(), ids_text(expected).c_str());
    }
  }
  const bool ok = lines > 0 && matching == lines;
  std::printf("tokenizer-parity %s: %zu/%zu lines give sentencepiece's ids  %s\n", model_path.c_str(), matching,
              lines, ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tokenizer-parity MODEL CASES\n"
                         "  MODEL: a sentencepiece tokenizer.model\n"
                         "  CASES: JSON Lines of {\"hex\": text bytes, \"ids\": sentencepiece's ids}\n");
    return 2;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer-parity: %s\n", e.what());
  }
  return 2;
}
