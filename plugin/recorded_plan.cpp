#include "plugin/recorded_plan.h"

#include "engine/core/error.h"

namespace ft::plugin {

HyperparameterPlan plan_from_json(const nlohmann::json& hyperparameters) {
  HyperparameterPlan plan;
  try {
    for (const auto& [name, entry] : hyperparameters.items()) {
      const auto source = entry.at("source").get<std::string>() == "user" ? HyperparameterSource::user
                                                                          : HyperparameterSource::automatic;
      plan.add({name, entry.at("value"), source, entry.at("reason").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::invalid_input, std::string("hyperparameters.json: malformed entry (") + e.what() + ")");
  }
  return plan;
}

TrainingRequest with_recorded_values(TrainingRequest request, const nlohmann::json& hyperparameters) {
  request.hyperparameters = nlohmann::json::object();
  for (const char* name : {"n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight"}) {
    request.hyperparameters[name] = hyperparameters.at(name).at("value");
  }
  request.seed = hyperparameters.at("seed").at("value");
  // The method as resolved, and LoRA's values with it, so that the adapters are the same.
  if (hyperparameters.contains("method")) {
    const bool lora = hyperparameters.at("method").at("value") == "lora";
    request.method = lora ? TrainingMethod::lora : TrainingMethod::full;
    if (lora) {
      for (const char* name : {"lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules"}) {
        request.hyperparameters[name] = hyperparameters.at(name).at("value");
      }
    }
  }
  return request;
}

}  // namespace ft::plugin
