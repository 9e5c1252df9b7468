#include "engine/planning/learning_rate_table.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace ft {
namespace {

constexpr Gpt3Row table_2_1[] = {
    {"Small", 125'000'000, 6.0e-4},       {"Medium", 350'000'000, 3.0e-4}, {"Large", 760'000'000, 2.5e-4},
    {"XL", 1'300'000'000, 2.0e-4},        {"2.7B", 2'700'000'000, 1.6e-4}, {"6.7B", 6'700'000'000, 1.2e-4},
    {"13B", 13'000'000'000, 1.0e-4},      {"175B", 175'000'000'000, 0.6e-4},
};

TableLearningRate exactly(const Gpt3Row& row, bool clamped) { return {row.learning_rate, row, row, clamped, false}; }

// From Small (125M, 6e-4) to 175B (6e-5): ten times smaller over 1400 times the size.
double below_table_rate_exponent() { return std::log(10.0) / std::log(1400.0); }

}  // namespace

TableLearningRate gpt3_learning_rate(int64_t parameter_count) {
  const Gpt3Row& first = table_2_1[0];
  const Gpt3Row& last = table_2_1[std::size(table_2_1) - 1];
  if (parameter_count < first.parameters) {
    const double size = double(std::max<int64_t>(parameter_count, 1));
    const double rate = first.learning_rate * std::pow(double(first.parameters) / size, below_table_rate_exponent());
    return {rate, first, first, false, true};
  }
  if (parameter_count > last.parameters) return exactly(last, true);
  for (size_t i = 0; i + 1 < std::size(table_2_1); ++i) {
    const Gpt3Row& lower = table_2_1[i];
    const Gpt3Row& upper = table_2_1[i + 1];
    if (parameter_count == lower.parameters) return exactly(lower, false);
    if (parameter_count >= upper.parameters) continue;
    const double t = std::log(double(parameter_count) / lower.parameters) / std::log(double(upper.parameters) / lower.parameters);
    const double rate = std::exp(std::log(lower.learning_rate) + t * std::log(upper.learning_rate / lower.learning_rate));
    return {rate, lower, upper, false, false};
  }
  return exactly(last, false);
}

}  // namespace ft
