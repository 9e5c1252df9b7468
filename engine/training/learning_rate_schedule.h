// Linear warm-up from 0 to the peak rate, then linear decay to 0 at the last step (the
// schedule of transformers' get_linear_schedule_with_warmup).
#pragma once

#include <algorithm>
#include <cstdint>

namespace ft {

// The rate for optimizer step `step` (0-based) of `total_steps`.
inline double scheduled_learning_rate(double peak, int64_t step, int64_t warmup_steps, int64_t total_steps) {
  if (step < warmup_steps) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const auto decay_steps = std::max<int64_t>(1, total_steps - warmup_steps);
  return peak * std::max(0.0, static_cast<double>(total_steps - step) / static_cast<double>(decay_steps));
}

}  // namespace ft
