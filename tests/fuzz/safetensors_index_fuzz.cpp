// model.safetensors.index.json: every shard it names must be a plain file inside the folder.
#include "engine/formats/safetensors_index.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::parse_or_refuse([&] {
    const std::string origin = "model.safetensors.index.json";
    const auto index = ft::parse_json(ft::fuzz::text_of(data, size), origin, ft::safetensors::kIndexJsonLimits);
    for (const auto& [file, names] : ft::safetensors::parse_index(index, origin)) {
      if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos) {
        ft::fuzz::fail("shard name \"" + ft::utf8_lossy(file) + "\" leaves the folder");
      }
    }
  });
  return 0;
}
