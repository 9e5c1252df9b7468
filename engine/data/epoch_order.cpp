#include "engine/data/epoch_order.h"

#include <numeric>
#include <random>
#include <utility>

namespace ft {

uint64_t mix_seed(uint64_t seed, uint64_t position) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (position + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<size_t> epoch_order(size_t examples, uint64_t seed, int64_t epoch) {
  std::mt19937_64 random(mix_seed(seed, static_cast<uint64_t>(epoch)));
  std::vector<size_t> order(examples);
  std::iota(order.begin(), order.end(), size_t(0));
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random() % i]);
  return order;
}

}  // namespace ft
