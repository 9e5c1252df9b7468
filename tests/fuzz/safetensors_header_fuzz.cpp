// A .safetensors file's first bytes: the 8-byte header length, the JSON header, the data buffer.
// A header that parses must describe tensors that lie inside the buffer without overlapping.
#include "engine/formats/safetensors_header.h"
#include "tests/fuzz/fuzz_checks.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;  // SafetensorsReader refuses such a file before reading it
  ft::fuzz::parse_or_refuse([&] {
    const auto length = ft::safetensors::header_length(data, size, "model.safetensors");
    const uint64_t data_size = size - 8 - length;
    auto header = ft::safetensors::parse_header(ft::fuzz::text_of(data + 8, length), data_size, "model.safetensors");
    std::sort(header.tensors.begin(), header.tensors.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
    for (size_t i = 0; i < header.tensors.size(); ++i) {
      const auto& t = header.tensors[i];
      if (t.begin > t.end || t.end > data_size) ft::fuzz::fail("a tensor outside the data buffer was accepted");
      if (i > 0 && t.begin < header.tensors[i - 1].end) ft::fuzz::fail("overlapping tensors were accepted");
    }
  });
  return 0;
}
