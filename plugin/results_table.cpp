#include "plugin/results_table.h"

#include "plugin/workspace.h"

#include <nlohmann/json.hpp>

namespace ft::plugin {
namespace {

// The shortest text that reads back as the same double (nlohmann's number formatting).
std::string number(double value) { return nlohmann::json(value).dump(); }

std::string optional_number(const std::optional<double>& value) { return value ? number(*value) : ""; }

}  // namespace

void create_results_table(const std::filesystem::path& file) {
  // An empty file is a header that could not be written (a full disk): written now.
  std::error_code ec;
  if (std::filesystem::file_size(file, ec) > 0 && !ec) return;
  append_line(file,
              "step,elapsed_tokens,elapsed_examples,train_loss,train_mean_token_accuracy,valid_loss,"
              "valid_mean_token_accuracy,learning_rate,tokens_per_second");
}

void append_results_row(const std::filesystem::path& file, const StepMetrics& m) {
  append_line(file, std::to_string(m.step) + "," + std::to_string(m.tokens_seen) + "," +
                        std::to_string(m.examples_seen) + "," + number(m.train_loss) + "," +
                        number(m.train_mean_token_accuracy) + "," + optional_number(m.valid_loss) + "," +
                        optional_number(m.valid_mean_token_accuracy) + "," + number(m.learning_rate) + "," +
                        number(m.tokens_per_second));
}

}  // namespace ft::plugin
