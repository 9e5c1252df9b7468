// Which row of a packed micro-batch each example goes to (engine/data/packed_batch.h packs the
// tokens; the plan's time estimate counts the rows' positions). No libtorch: lengths only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ft {

// Rows of at most `capacity` tokens, first fit, longest examples first: each row the indices of
// its examples. `lengths` are already truncated to `capacity`.
std::vector<std::vector<size_t>> assign_rows(const std::vector<int64_t>& lengths, int64_t capacity);

// The longest row's tokens: the length of the packed tensors.
int64_t packed_width(const std::vector<std::vector<size_t>>& rows, const std::vector<int64_t>& lengths);

// The positions (rows x width, padding included) of the micro-batch packed from examples of these
// lengths, already truncated to max_seq_len: what its training pass computes on.
int64_t packed_positions(const std::vector<int64_t>& lengths, int64_t max_seq_len);

}  // namespace ft
