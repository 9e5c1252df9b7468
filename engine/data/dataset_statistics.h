// What the hyper-parameter policy needs to know about a tokenized training set.
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

struct DatasetStatistics {
  int64_t examples = 0;
  int64_t total_tokens = 0;       // every token of every example, BOS and EOS included
  int64_t prompt_tokens = 0;      // tokens weighted by prompt_loss_weight
  int64_t completion_tokens = 0;  // tokens weighted 1
  // Tokens per example.
  int64_t min_tokens = 0;
  int64_t max_tokens = 0;
  double mean_tokens = 0;
  int64_t median_tokens = 0;
  int64_t p95_tokens = 0;
  // Each example's tokens in file order: how its micro-batches pack (the plan's time estimate).
  // Empty where the statistics were made by hand: every micro-batch is then taken as unpadded.
  std::vector<int64_t> example_tokens;
};

}  // namespace ft
