// tokenizer-parity MODEL CASES: checks the engine's tokenizer against the reference library's.
// MODEL is a sentencepiece tokenizer.model, or a model folder (tokenizer.json, tokenizer.model,
// or vocab.json + merges.txt, as the engine loads it); CASES is JSON Lines, one per text:
//   "hex"               the text's bytes (hex, because a line may be invalid UTF-8)
//   "ids"               the reference's ids, without special tokens
//   "ids_with_special"  (optional) the ids with the post-processor's special tokens
//   "decoded"           (optional) the reference's decoding of "ids"
// as made by tests/oracle/tokenizer_cases.py (sentencepiece) and tokenizer_json_cases.py
// (Hugging Face tokenizers). Prints the counts and the first mismatches; exits 0 when every line
// matches, 1 when any differs, 2 when a file cannot be read.
#include "engine/core/error.h"
#include "engine/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr int kMismatchesShown = 5;

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

struct Tally {
  size_t checked = 0, matching = 0;
  bool ok() const { return matching == checked; }
};

// Counts a comparison; shows the first few mismatches.
void compare(Tally& tally, bool equal, const std::string& where, const std::string& what, const std::string& text,
             const std::string& engine, const std::string& reference) {
  ++tally.checked;
  if (equal) {
    ++tally.matching;
  } else if (tally.checked - tally.matching <= kMismatchesShown) {
    const auto shown = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("  %s (%s): %s\n    engine:    %s\n    reference: %s\n", where.c_str(), what.c_str(), shown.c_str(),
                engine.c_str(), reference.c_str());
  }
}

std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int run(const std::string& model_path, const std::string& cases_path) {
  const auto tokenizer = std::filesystem::is_directory(model_path) ? ft::Tokenizer::load_folder(model_path)
                                                                   : ft::Tokenizer::load(model_path);
  Tally ids_tally, special_tally, decoded_tally;
  std::ifstream cases(cases_path, std::ios::binary);
  if (!cases) throw ft::Error(ft::ErrorKind::not_found, cases_path + ": cannot open");
  std::string line;
  for (size_t number = 1; std::getline(cases, line); ++number) {
    if (line.empty()) continue;
    const auto where = cases_path + ":" + std::to_string(number);
    const auto doc = nlohmann::json::parse(line);
    const auto text = from_hex(doc.at("hex").get<std::string>(), where);
    const auto expected = doc.at("ids").get<std::vector<int64_t>>();
    const auto ids = tokenizer.encode(text);
    compare(ids_tally, ids == expected, where, "ids", text, ids_text(ids), ids_text(expected));
    if (doc.contains("ids_with_special") && tokenizer.hugging_face()) {
      const auto want = doc.at("ids_with_special").get<std::vector<int64_t>>();
      const auto got = tokenizer.hugging_face()->encode(text, true);
      compare(special_tally, got == want, where, "ids with special tokens", text, ids_text(got), ids_text(want));
    }
    if (doc.contains("decoded")) {
      const auto want = doc.at("decoded").get<std::string>();
      const auto got = tokenizer.decode(expected);
      compare(decoded_tally, got == want, where, "decode", text, quoted(got), quoted(want));
    }
  }
  const bool ok = ids_tally.checked > 0 && ids_tally.ok() && special_tally.ok() && decoded_tally.ok();
  std::printf("tokenizer-parity %s: %zu/%zu lines give the reference's ids", model_path.c_str(), ids_tally.matching,
              ids_tally.checked);
  if (special_tally.checked) std::printf(", %zu/%zu with special tokens", special_tally.matching, special_tally.checked);
  if (decoded_tally.checked) std::printf(", %zu/%zu decode identically", decoded_tally.matching, decoded_tally.checked);
  std::printf("  %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

// --time MODEL TEXT: encodes each line of TEXT (one text per line) and prints the seconds taken,
// for tools/tokenizer_benchmark.py.
int time_encoding(const std::string& model_path, const std::string& text_path) {
  const auto tokenizer = std::filesystem::is_directory(model_path) ? ft::Tokenizer::load_folder(model_path)
                                                                   : ft::Tokenizer::load(model_path);
  std::ifstream input(text_path, std::ios::binary);
  if (!input) throw ft::Error(ft::ErrorKind::not_found, text_path + ": cannot open");
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (std::string line; std::getline(input, line);) bytes += line.size() + 1, lines.push_back(std::move(line));
  const auto start = std::chrono::steady_clock::now();
  size_t tokens = 0;
  for (const auto& line : lines) tokens += tokenizer.encode(line).size();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  std::printf("{\"seconds\": %.4f, \"tokens\": %zu, \"bytes\": %zu, \"lines\": %zu}\n", seconds.count(), tokens, bytes,
              lines.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--time") {
    try {
      return time_encoding(argv[2], argv[3]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tokenizer-parity: %s\n", e.what());
      return 2;
    }
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: tokenizer-parity MODEL CASES\n"
                         "       tokenizer-parity --time MODEL TEXT   (seconds to encode TEXT line by line)\n"
                         "  MODEL: a sentencepiece tokenizer.model, or a model folder with its tokenizer\n"
                         "  CASES: JSON Lines of {\"hex\": text bytes, \"ids\": the reference's ids,\n"
                         "         optional \"ids_with_special\", \"decoded\"}\n");
    return 2;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenizer-parity: %s\n", e.what());
  }
  return 2;
}
