#include "engine/data/row_packing.h"

#include "tests/catch.h"

TEST_CASE("Rows are filled first fit, longest first, within their capacity", "[data]") {
  const std::vector<int64_t> lengths = {100, 300, 150, 200};
  const auto rows = ft::assign_rows(lengths, 304);
  // 300 alone, then 200 + 100, then 150 (it fits beside neither).
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<size_t>{1});
  CHECK(rows[1] == std::vector<size_t>{3, 0});
  CHECK(rows[2] == std::vector<size_t>{2});
  CHECK(ft::packed_width(rows, lengths) == 300);
  CHECK(ft::packed_positions(lengths, 304) == 900);
  // Truncated to the row's capacity (as pack_examples does): four rows of 128.
  CHECK(ft::packed_positions({128, 128, 128, 128}, 128) == 4 * 128);
  CHECK(ft::packed_positions({}, 128) == 0);
}
