#include "engine/data/row_packing.h"

#include <algorithm>
#include <numeric>

namespace ft {

std::vector<std::vector<size_t>> assign_rows(const std::vector<int64_t>& lengths, int64_t capacity) {
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
  std::vector<std::vector<size_t>> rows;
  std::vector<int64_t> used;
  for (size_t i : order) {
    size_t r = 0;
    while (r < rows.size() && used[r] + lengths[i] > capacity) ++r;
    if (r == rows.size()) rows.emplace_back(), used.push_back(0);
    rows[r].push_back(i);
    used[r] += lengths[i];
  }
  return rows;
}

int64_t packed_width(const std::vector<std::vector<size_t>>& rows, const std::vector<int64_t>& lengths) {
  int64_t width = 0;
  for (const auto& row : rows) {
    int64_t used = 0;
    for (size_t i : row) used += lengths[i];
    width = std::max(width, used);
  }
  return width;
}

int64_t packed_positions(const std::vector<int64_t>& lengths, int64_t max_seq_len) {
  const auto rows = assign_rows(lengths, max_seq_len);
  return static_cast<int64_t>(rows.size()) * packed_width(rows, lengths);
}

}  // namespace ft
