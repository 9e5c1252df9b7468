// A fine-tuning request as the plugin receives it (the shape of OpenAI's fine-tuning request):
// {"model", "training_file", "validation_file", "method", "merge", "hyperparameters", "suffix", "seed"}.
#pragma once

#include "engine/planning/hyperparameter_request.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace ft {

struct TrainingRequest {
  // A Hugging Face checkpoint folder, or the name of an architecture preset ("tiny-llama",
  // "gpt3-small", ...) for a freshly initialised model with a tokenizer trained on the data.
  std::string model;
  std::filesystem::path training_file;
  std::optional<std::filesystem::path> validation_file;
  nlohmann::json hyperparameters = nlohmann::json::object();  // values or "auto"
  nlohmann::json seed;                                         // null or "auto": random
  std::string suffix;
  // "auto" (the default: full fine-tuning where it fits in memory, else LoRA), "full" or "lora";
  // also {"type": "..."} as OpenAI's method object spells it.
  TrainingMethod method = TrainingMethod::automatic;
  // LoRA only: also write the adapters merged into the base as a Hugging Face folder.
  bool merge = false;
};

// "auto", "full", "lora".
const char* to_string(TrainingMethod method);

// Validates the document's keys and types; throws ft::Error(invalid_argument) whose param names
// the offending key ("model", "training_file", "method", "suffix", ...). Hyper-parameter values
// are checked later, by the policy.
TrainingRequest parse_training_request(const nlohmann::json& request);
nlohmann::json to_json(const TrainingRequest& request);

}  // namespace ft
