// The order a training run visits its examples in: a permutation drawn from the run's seed and
// the epoch, a function of the position in the run, so that a resumed run draws exactly what an
// uninterrupted one would have, and a plan can pack the first epoch as the run will.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ft {

// Mixes a seed with a position (an epoch, a step) into an independent stream seed (splitmix64).
uint64_t mix_seed(uint64_t seed, uint64_t position);

// The indices of `examples` examples in the order epoch `epoch` (0-based) of a run seeded `seed`
// trains them. Fisher-Yates over mt19937_64, whose output the C++ standard fixes, so the order is
// the same with every standard library (std::shuffle's is not).
std::vector<size_t> epoch_order(size_t examples, uint64_t seed, int64_t epoch);

}  // namespace ft
