// A training or validation file, validated and tokenized before any training starts. Every
// problem in the file is found in one pass and reported at once with its line number, so a
// user fixes the file in one round instead of one error per run. The formats, the template and
// the rules are in docs/data.md.
#pragma once

#include "engine/core/error.h"
#include "engine/data/dataset_statistics.h"
#include "engine/data/example_template.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct DataProblem {
  int64_t line = 0;  // 1-based; 0 for a problem of the whole file
  std::string message;
};

// Bounds on what an untrusted file may cost to read, and on the length of the report.
struct DataLimits {
  uintmax_t max_file_bytes = 512u << 20;
  size_t max_line_bytes = 1u << 20;
  int max_json_depth = 16;  // a valid example nests 3 deep; more room gives better messages
  size_t max_reported_problems = 50;
};

// A file that did not validate. what() is the report a user reads:
//   train.jsonl: 2 problems:
//     line 2: not valid JSON (syntax error ...)
//     line 5: message 2 has unknown role "bot" (expected system, user or assistant)
class DataValidationError : public Error {
 public:
  DataValidationError(const std::filesystem::path& file, std::vector<DataProblem> problems, int64_t total_problems,
                      const std::string& param);

  // The first problems in file order, at most DataLimits::max_reported_problems of them.
  const std::vector<DataProblem>& problems() const { return problems_; }
  int64_t total_problems() const { return total_problems_; }

 private:
  std::vector<DataProblem> problems_;
  int64_t total_problems_;
};

struct TrainingData {
  std::vector<TokenizedExample> examples;  // in file order
  // Duplicate examples: allowed, but worth a look. Capped like problems; a last entry on line 0
  // then says how many more there are.
  std::vector<DataProblem> warnings;
  DatasetStatistics statistics;
};

// Reads, validates and tokenizes a JSON Lines file of examples (see example_schema.h and
// example_template.h). `max_context_tokens` is the model's context length; `param` names the
// file's request parameter ("training_file", "validation_file") in errors. Throws
// DataValidationError (invalid_input) listing every problem, ft::Error(not_found) naming a
// missing file, ft::Error(io) when it cannot be read, ft::Error(invalid_argument) for a context
// under 2 tokens.
// How examples become tokens: the tokenizer, and the model's chat template (nullptr: generic).
struct ExampleEncoding {
  ExampleEncoding(const Tokenizer& t, const ChatTemplate* chat = nullptr) : tokenizer(t), chat_template(chat) {}
  const Tokenizer& tokenizer;
  const ChatTemplate* chat_template;
};

TrainingData load_training_data(const std::filesystem::path& jsonl, const ExampleEncoding& encoding,
                                int64_t max_context_tokens, const std::string& param, const DataLimits& limits = {});

// Token counts of a set of examples. The median and 95th percentile are nearest-rank: the
// smallest length that at least half (95%) of the examples do not exceed.
DatasetStatistics measure_examples(const std::vector<TokenizedExample>& examples);

}  // namespace ft
