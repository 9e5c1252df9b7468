// config.json: parsed as read_model_config does, then counted and written back as the engine
// does for a plan and a saved model; what it writes must read back.
#include "engine/core/json_document.h"
#include "engine/formats/model_config.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::parse_or_refuse([&] {
    const auto config = ft::parse_model_config(ft::parse_json(ft::fuzz::text_of(data, size), "config.json", {1u << 20, 16}),
                                               "config.json");
    if (ft::parameter_count(config) <= 0) ft::fuzz::fail("a model of no parameters was accepted");
    try {
      ft::parse_model_config(ft::to_hf_config_json(config), "written config.json");
    } catch (const ft::Error& e) {
      ft::fuzz::fail(std::string("the written config.json does not read back: ") + e.what());
    }
  });
  return 0;
}
