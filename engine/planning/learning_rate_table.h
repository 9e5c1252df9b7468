// The pre-training learning rates of GPT-3 (Brown et al. 2020, Table 2.1) as a function of model
// size: the base every automatic learning rate is a multiple of.
#pragma once

#include <cstdint>

namespace ft {

struct Gpt3Row {
  const char* model;  // the name the paper gives it
  int64_t parameters;
  double learning_rate;
};

// The rate for a model of `parameter_count` parameters, and the rows it came from.
struct TableLearningRate {
  double rate = 0;
  Gpt3Row lower;  // the row at or below the count (the first row when below the table)
  Gpt3Row upper;  // the row above the count; equal to `lower` on a row or outside the table
  bool clamped = false;   // above the table: its last row's rate
  bool extended = false;  // below the table: its power law continued to the size
};

// Interpolated linearly in log(parameters)-log(rate) space between the two neighbouring rows,
// since the table's rates fall roughly as a power of the size. Below Small (125M) the power law
// through the table's ends (Small's 6e-4, 175B's 6e-5) is continued to the size,
// 6e-4 x (125M / parameters)^(ln 10 / ln 1400), because a small model is pre-trained at a larger
// rate than Small's (this engine pre-trains its small presets at it, and fine-tuning a 1.9M-parameter
// one at a fraction of Small's rate instead landed 0.4 to 4.4 2x steps below the best rate:
// docs/hyperparameters.md, the benchmark). Above 175B, 175B's rate: nothing above it to follow.
TableLearningRate gpt3_learning_rate(int64_t parameter_count);

}  // namespace ft
