#include "engine/data/epoch_order.h"

#include "tests/catch.h"

#include <algorithm>
#include <numeric>

TEST_CASE("each epoch trains a permutation of the examples, drawn from the seed and the epoch", "[data]") {
  const auto order = ft::epoch_order(100, 7, 0);
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> all(100);
  std::iota(all.begin(), all.end(), size_t(0));
  CHECK(sorted == all);
  CHECK(ft::epoch_order(100, 7, 0) == order);  // a resumed run draws the same
  CHECK(ft::epoch_order(100, 7, 1) != order);
  CHECK(ft::epoch_order(100, 8, 0) != order);
  CHECK(ft::epoch_order(0, 7, 0).empty());
  CHECK(ft::epoch_order(1, 7, 3) == std::vector<size_t>{0});
}
