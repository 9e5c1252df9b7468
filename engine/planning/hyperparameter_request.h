// The hyper-parameters a user may set in a request, read and validated: each is a value or
// "auto", and anything else is refused with a message that names it and its allowed range.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

// The request's "method": full fine-tuning, LoRA adapters on a frozen base, or the policy's
// choice between them ("auto").
enum class TrainingMethod { automatic, full, lora };

// nullopt: "auto", the policy chooses.
struct HyperparameterRequest {
  std::optional<int64_t> n_epochs;                // an integer from 1 to 50
  std::optional<int64_t> batch_size;              // an integer from 1 to 256
  std::optional<double> learning_rate_multiplier;  // a positive number
  std::optional<double> prompt_loss_weight;       // a number from 0 to 1
  std::optional<int64_t> seed;                    // an integer from 0 to 2147483647
  // LoRA's (docs/hyperparameters.md); setting any of them asks for LoRA when "method" is "auto".
  std::optional<int64_t> lora_rank;                            // an integer from 1 to 512
  std::optional<double> lora_alpha;                            // a positive number
  std::optional<double> lora_dropout;                          // a number from 0 to less than 1
  std::optional<std::vector<std::string>> lora_target_modules;  // distinct projection names
  std::optional<int64_t> checkpoint_interval_steps;            // an integer from 1 to 1000000

  std::optional<std::string> precision;  // "bf16" or "fp32"
  // "on" or "off": whether trial runs measure the learning rate on the job's data
  // (learning_rate_probe.h); "auto" probes where it pays.
  std::optional<std::string> learning_rate_probe;
  // "best_validation" or "last": which epoch's weights the run delivers (hyperparameter_policy.h);
  // "auto" keeps the best by validation loss when the job has a validation file and auto epochs.
  std::optional<std::string> epoch_selection;

  bool sets_lora() const { return lora_rank || lora_alpha || lora_dropout || lora_target_modules; }
};

// `hyperparameters` is the request's "hyperparameters" object (null when the request has none:
// everything is "auto"); `seed` is the request's top-level "seed" (null or "auto": random).
// Only OpenAI's four fine-tuning hyper-parameters, LoRA's four, checkpoint_interval_steps (how
// often, not what, the run saves), the precision, learning_rate_probe and epoch_selection can be
// set; the rest (micro-batch, warm-up, optimizer constants, ...) are derived from them, the data
// and the machine, so that a plan never mixes a user's value with one it contradicts.
// Throws ft::Error(invalid_argument) with param "hyperparameters.<name>" (or "seed",
// "hyperparameters") for a wrong type, a value out of range or an unknown name.
HyperparameterRequest parse_hyperparameter_request(const nlohmann::json& hyperparameters, const nlohmann::json& seed);

}  // namespace ft
