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
  bool clamped = false;  // outside the table: its nearest end's rate
};

// Interpolated linearly in log(parameters)-log(rate) space between the two neighbouring rows,
// since the table's rates fall roughly as a power of the size; below Small (125M) or above 175B
// the nearest end's rate, because extrapolating a power law past its data is a guess.
TableLearningRate gpt3_learning_rate(int64_t parameter_count);

}  // namespace ft
