#include "engine/data/training_data.h"

#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"
#include "engine/data/example_schema.h"
#include "engine/data/jsonl_reader.h"
#include "engine/tokenizer/text_normalizer.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <functional>
#include <iterator>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace ft {

namespace {

// Long enough for any message of ours; JSON parse errors quote the text they stopped at, which
// on a long line would otherwise swamp the report.
constexpr size_t max_problem_message_bytes = 300;

// Problems in file order up to a cap, and the count of all of them.
class ProblemList {
 public:
  explicit ProblemList(size_t cap) : cap_(cap) {}

  void add(int64_t line, std::string message) {
    ++total_;
    if (shown_.size() < cap_) shown_.push_back({line, utf8_prefix(message, max_problem_message_bytes)});
  }
  // `later`'s problems after these, as if added here in turn.
  void append(const ProblemList& later) {
    for (const auto& problem : later.shown_) add(problem.line, problem.message);
    total_ += later.total_ - static_cast<int64_t>(later.shown_.size());
  }
  int64_t total() const { return total_; }
  const std::vector<DataProblem>& shown() const { return shown_; }

 private:
  size_t cap_;
  int64_t total_ = 0;
  std::vector<DataProblem> shown_;
};

std::string report(const std::filesystem::path& file, const std::vector<DataProblem>& problems, int64_t total) {
  const auto shown = static_cast<int64_t>(problems.size());
  std::string out = file.string() + ": " + std::to_string(total) + (total == 1 ? " problem" : " problems");
  if (total > shown) out += " (the first " + std::to_string(shown) + " follow)";
  out += ":";
  for (const auto& problem : problems) {
    out += "\n  ";
    if (problem.line > 0) out += "line " + std::to_string(problem.line) + ": ";
    out += problem.message;
  }
  if (total > shown) out += "\n  ... and " + std::to_string(total - shown) + " more";
  return out;
}

bool is_blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

// The 0-based offset of the first byte of `text` that is not part of valid UTF-8, if any.
std::optional<size_t> first_invalid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = utf8_char_length(text.substr(pos));
    if (length == 0) return pos;
    pos += length;
  }
  return std::nullopt;
}

// The JSON record on `line`, or nullopt after reporting why there is none.
std::optional<nlohmann::json> parse_record(const JsonLine& line, const DataLimits& limits, ProblemList& problems) {
  if (line.too_long) {
    problems.add(line.number, "the line is longer than the limit of " + std::to_string(limits.max_line_bytes) + " bytes");
    return std::nullopt;
  }
  if (const auto bad = first_invalid_utf8(line.text)) {
    problems.add(line.number, "invalid UTF-8 at byte " + std::to_string(*bad + 1) + " of the line");
    return std::nullopt;
  }
  // parse_json's messages start with the source given; it is dropped, the line is reported apart.
  const std::string source = "line";
  try {
    return parse_json(line.text, source, {limits.max_line_bytes, limits.max_json_depth});
  } catch (const Error& e) {
    // nlohmann counts lines within the text it was given, always line 1 here: keep the column.
    auto reason = std::string(e.what()).substr(source.size() + 2);
    const std::string position = "parse error at line 1, column";
    if (const auto at = reason.find(position); at != std::string::npos) reason.replace(at, position.size(), "at column");
    problems.add(line.number, reason);
    return std::nullopt;
  }
}

// The example on `line`, or nullopt after reporting everything wrong with it.
std::optional<TokenizedExample> read_example(const JsonLine& line, const ExampleEncoding& encoding,
                                             int64_t max_context_tokens, const DataLimits& limits,
                                             ProblemList& problems) {
  const auto record = parse_record(line, limits, problems);
  if (!record) return std::nullopt;
  std::vector<std::string> record_problems;
  const auto text = parse_example(*record, record_problems);
  for (auto& problem : record_problems) problems.add(line.number, std::move(problem));
  if (!text) return std::nullopt;
  TokenizedExample example;
  try {
    example = render_example(encoding.tokenizer, *text, encoding.chat_template);
  } catch (const Error& e) {  // the model's template refused this conversation (raise_exception)
    problems.add(line.number, std::string("the model's chat template: ") + e.what());
    return std::nullopt;
  }
  example.line = line.number;
  const auto length = static_cast<int64_t>(example.tokens.size());
  if (length > max_context_tokens) {
    problems.add(line.number, "the example is " + std::to_string(length) + " tokens long, " +
                                  std::to_string(length - max_context_tokens) + " more than the model's context of " +
                                  std::to_string(max_context_tokens) + " tokens");
    return std::nullopt;
  }
  return example;
}

// Rendering and tokenizing the lines is most of a plan's time on a large file, and each line is
// independent: up to this many threads read contiguous shares of the lines, of at least
// kLinesPerShare each, and their examples and problems are joined in file order.
constexpr size_t kMostReadingThreads = 8;
constexpr size_t kLinesPerShare = 256;

// What one thread read from its contiguous share of the lines.
struct ReadShare {
  std::vector<TokenizedExample> examples;
  ProblemList problems;
  std::exception_ptr failure;  // what escaped read_example (out of memory), rethrown by the caller
};

std::vector<JsonLine> non_blank_lines(JsonLinesReader& reader) {
  std::vector<JsonLine> lines;
  for (JsonLine line; reader.next(line);) {
    if (line.too_long || !is_blank(line.text)) lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<TokenizedExample> read_examples(JsonLinesReader& reader, const ExampleEncoding& encoding,
                                            int64_t max_context_tokens, const DataLimits& limits,
                                            ProblemList& problems) {
  const auto lines = non_blank_lines(reader);
  if (lines.empty()) problems.add(0, "the file has no examples");
  const size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  const size_t count = std::clamp<size_t>(lines.size() / kLinesPerShare, 1, std::min(cores, kMostReadingThreads));
  std::vector<ReadShare> shares(count, ReadShare{{}, ProblemList(limits.max_reported_problems), nullptr});
  auto read_share = [&](size_t s) {
    try {
      for (size_t i = s * lines.size() / count; i < (s + 1) * lines.size() / count; ++i) {
        auto example = read_example(lines[i], encoding, max_context_tokens, limits, shares[s].problems);
        if (example) shares[s].examples.push_back(std::move(*example));
      }
    } catch (...) {
      shares[s].failure = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  for (size_t s = 1; s < count; ++s) helpers.emplace_back(read_share, s);
  read_share(0);
  for (auto& helper : helpers) helper.join();
  std::vector<TokenizedExample> examples;
  for (auto& share : shares) {
    if (share.failure) std::rethrow_exception(share.failure);
    problems.append(share.problems);
    std::move(share.examples.begin(), share.examples.end(), std::back_inserter(examples));
  }
  return examples;
}

// Examples are the same when their tokens and masks are: that is what training sees.
struct ExampleHash {
  size_t operator()(const TokenizedExample* example) const {
    const std::string_view tokens(reinterpret_cast<const char*>(example->tokens.data()),
                                  example->tokens.size() * sizeof(int64_t));
    const std::string_view mask(reinterpret_cast<const char*>(example->completion.data()), example->completion.size());
    return std::hash<std::string_view>{}(tokens) * 31 + std::hash<std::string_view>{}(mask);
  }
};
struct SameExample {
  bool operator()(const TokenizedExample* a, const TokenizedExample* b) const {
    return a->tokens == b->tokens && a->completion == b->completion;
  }
};

std::vector<DataProblem> find_duplicates(const std::vector<TokenizedExample>& examples, size_t cap) {
  std::unordered_set<const TokenizedExample*, ExampleHash, SameExample> first_seen;
  ProblemList duplicates(cap);
  for (const auto& example : examples) {
    const auto [first, inserted] = first_seen.insert(&example);
    if (!inserted) duplicates.add(example.line, "duplicate of the example on line " + std::to_string((*first)->line));
  }
  auto warnings = duplicates.shown();
  const auto unshown = duplicates.total() - static_cast<int64_t>(warnings.size());
  if (unshown > 0) warnings.push_back({0, "... and " + std::to_string(unshown) + " more duplicate examples"});
  return warnings;
}

// The nearest-rank percentile of non-empty sorted values: the ceil(percent/100 * n)-th smallest.
int64_t nearest_rank(const std::vector<int64_t>& sorted, size_t percent) {
  const size_t rank = (sorted.size() * percent + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

DataValidationError::DataValidationError(const std::filesystem::path& file, std::vector<DataProblem> problems,
                                         int64_t total_problems, const std::string& param)
    : Error(ErrorKind::invalid_input, report(file, problems, total_problems), param),
      problems_(std::move(problems)),
      total_problems_(total_problems) {}

TrainingData load_training_data(const std::filesystem::path& jsonl, const ExampleEncoding& encoding,
                                int64_t max_context_tokens, const std::string& param, const DataLimits& limits) {
  if (max_context_tokens < 2) {
    throw Error(ErrorKind::invalid_argument,
                "the model's context must be at least 2 tokens, not " + std::to_string(max_context_tokens));
  }
  ProblemList problems(limits.max_reported_problems);
  std::vector<TokenizedExample> examples;
  try {
    JsonLinesReader reader(jsonl, limits.max_line_bytes);
    std::error_code ec;
    const auto file_bytes = std::filesystem::file_size(jsonl, ec);
    if (!ec && file_bytes > limits.max_file_bytes) {
      problems.add(0, "the file is " + std::to_string(file_bytes) + " bytes, more than the limit of " +
                          std::to_string(limits.max_file_bytes) + " bytes");
    } else {
      examples = read_examples(reader, encoding, max_context_tokens, limits, problems);
    }
  } catch (const Error& e) {
    throw Error(e.kind(), e.what(), param);  // the reader's errors name the file; add the parameter
  }
  if (problems.total() > 0) throw DataValidationError(jsonl, problems.shown(), problems.total(), param);
  TrainingData data;
  data.warnings = find_duplicates(examples, limits.max_reported_problems);
  data.statistics = measure_examples(examples);
  data.examples = std::move(examples);
  return data;
}

DatasetStatistics measure_examples(const std::vector<TokenizedExample>& examples) {
  DatasetStatistics statistics;
  if (examples.empty()) return statistics;
  std::vector<int64_t> lengths;
  lengths.reserve(examples.size());
  for (const auto& example : examples) {
    lengths.push_back(static_cast<int64_t>(example.tokens.size()));
    statistics.total_tokens += lengths.back();
    statistics.completion_tokens += std::count(example.completion.begin(), example.completion.end(), 1);
  }
  statistics.example_tokens = lengths;
  std::sort(lengths.begin(), lengths.end());
  statistics.examples = static_cast<int64_t>(examples.size());
  statistics.prompt_tokens = statistics.total_tokens - statistics.completion_tokens;
  statistics.min_tokens = lengths.front();
  statistics.max_tokens = lengths.back();
  statistics.mean_tokens = static_cast<double>(statistics.total_tokens) / static_cast<double>(statistics.examples);
  statistics.median_tokens = nearest_rank(lengths, 50);
  statistics.p95_tokens = nearest_rank(lengths, 95);
  return statistics;
}

}  // namespace ft
