// results.csv: a header line, then one row per optimizer step, appended:
//   step,elapsed_tokens,elapsed_examples,train_loss,train_mean_token_accuracy,valid_loss,
//   valid_mean_token_accuracy,learning_rate,tokens_per_second
// The validation columns are empty on steps without an evaluation. After a resume, the rows of
// the steps trained again follow the earlier ones (never rewritten).
#pragma once

#include "engine/training/trainer.h"

#include <filesystem>

namespace ft::plugin {

// Creates the file with its header line when it does not exist yet.
void create_results_table(const std::filesystem::path& file);
void append_results_row(const std::filesystem::path& file, const StepMetrics& metrics);

}  // namespace ft::plugin
