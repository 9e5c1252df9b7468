// The request document of ft_plan and ft_job_create: parsed as the plugin's read_request does
// (an object, its fields, the hyper-parameters' types and ranges), and written back for job.json.
#include "engine/planning/hyperparameter_request.h"
#include "engine/training_request.h"
#include "plugin/api_error.h"
#include "plugin/json_text.h"
#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = ft::fuzz::text_of(data, size);  // NUL-terminated, as a caller's string
  ft::fuzz::parse_or_refuse([&] {
    try {
      const auto request = ft::parse_training_request(ft::plugin::parse_argument_object(text.c_str(), "request"));
      ft::parse_hyperparameter_request(request.hyperparameters, request.seed);
      ft::plugin::dump_json(ft::to_json(request));
    } catch (const ft::plugin::ApiError& e) {
      ft::fuzz::check_message(e.what());
    }
  });
  return 0;
}
