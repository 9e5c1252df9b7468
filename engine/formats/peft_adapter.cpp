#include "engine/formats/peft_adapter.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/json_document.h"
#include "engine/formats/safetensors_reader.h"
#include "engine/formats/safetensors_writer.h"

#include <set>

namespace ft {
namespace {

namespace fs = std::filesystem;

const char* const config_file = "adapter_config.json";
const char* const weights_file = "adapter_model.safetensors";

// The keys of adapter_config.json that change what a LoRA adapter computes, each with the
// value under which the engine computes exactly what PEFT does.
void refuse_unsupported(const nlohmann::json& config, const fs::path& path) {
  auto refuse = [&](const std::string& key, const std::string& why) {
    throw Error(ErrorKind::unsupported, path.string() + ": " + key + " " + why + "; the engine computes plain LoRA only",
                "adapter");
  };
  auto is_true = [&](const char* key) { return config.contains(key) && config[key].is_boolean() && config[key].get<bool>(); };
  auto non_empty = [&](const char* key) {
    return config.contains(key) && !config[key].is_null() && !(config[key].is_object() && config[key].empty()) &&
           !(config[key].is_array() && config[key].empty());
  };
  if (is_true("use_dora")) refuse("use_dora", "is true (DoRA)");
  if (is_true("use_rslora")) refuse("use_rslora", "is true (rank-stabilised scaling)");
  if (is_true("lora_bias")) refuse("lora_bias", "is true");
  if (config.value("bias", std::string("none")) != "none") refuse("bias", "is not \"none\"");
  for (const char* key : {"rank_pattern", "alpha_pattern", "modules_to_save", "layers_to_transform", "layer_replication",
                          "trainable_token_indices", "target_parameters", "exclude_modules"}) {
    if (non_empty(key)) refuse(key, "is set");
  }
}

std::vector<std::string> target_modules_of(const nlohmann::json& config, const fs::path& path) {
  const auto& targets = config.at("target_modules");
  if (!targets.is_array()) {
    throw Error(ErrorKind::unsupported,
                path.string() + ": target_modules is a pattern (" + targets.dump() + "); the engine reads a list of module names",
                "adapter");
  }
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(t.get<std::string>());
  std::sort(names.begin(), names.end());  // PEFT saves a set; its order means nothing
  return names;
}

}  // namespace

void write_peft_adapter(const fs::path& folder, CausalLM& model, const std::string& base_model_name_or_path) {
  const auto settings = lora_settings_of(model);
  bool fan_in_fan_out = false;
  NamedTensors tensors;
  for (const auto& a : lora_adapters(model)) {
    fan_in_fan_out = fan_in_fan_out || a.fan_in_fan_out;
    tensors.emplace_back(peft_key_prefix + a.module_path + ".lora_A.weight", a.adapter->lora_A->weight.detach().to(torch::kFloat));
    tensors.emplace_back(peft_key_prefix + a.module_path + ".lora_B.weight", a.adapter->lora_B->weight.detach().to(torch::kFloat));
  }
  const nlohmann::json config = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"base_model_name_or_path", base_model_name_or_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(base_model_name_or_path)},
      {"r", settings.rank},
      {"lora_alpha", settings.alpha},
      {"lora_dropout", settings.dropout},
      {"target_modules", settings.target_modules},
      {"bias", "none"},
      {"fan_in_fan_out", fan_in_fan_out},
      {"use_rslora", false},
      {"use_dora", false},
      {"init_lora_weights", true},
      {"inference_mode", true},
      {"modules_to_save", nullptr},
  };
  fs::create_directories(folder);
  write_safetensors(folder / weights_file, tensors);
  write_file_atomically(folder / config_file, config.dump(2) + "\n");
}

LoraSettings read_peft_adapter_config(const fs::path& folder) {
  const auto path = folder / config_file;
  const auto config = read_json_file(path);
  try {
    if (config.at("peft_type").get<std::string>() != "LORA") {
      throw Error(ErrorKind::unsupported, path.string() + ": peft_type is " + config.at("peft_type").dump() + ", not \"LORA\"",
                  "adapter");
    }
    refuse_unsupported(config, path);
    LoraSettings settings;
    settings.rank = config.at("r").get<int64_t>();
    settings.alpha = config.at("lora_alpha").get<double>();
    settings.dropout = config.value("lora_dropout", 0.0);
    settings.target_modules = target_modules_of(config, path);
    return settings;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::invalid_input, path.string() + ": " + e.what(), "adapter");
  }
}

fs::path peft_base_model_folder(const fs::path& folder) {
  const auto path = folder / config_file;
  const auto config = read_json_file(path);
  const auto base = config.value("base_model_name_or_path", nlohmann::json());
  std::error_code ec;
  if (!base.is_string() || !fs::is_directory(base.get<std::string>(), ec)) {
    throw Error(ErrorKind::not_found, path.string() + ": base_model_name_or_path " + base.dump() + " is not a model folder on this machine",
                "adapter");
  }
  return base.get<std::string>();
}

void load_peft_adapter(const fs::path& folder, CausalLM& model) {
  attach_lora(model, read_peft_adapter_config(folder), 0);
  load_peft_adapter_weights(folder, model);
}

void load_peft_adapter_weights(const fs::path& folder, CausalLM& model) {
  const SafetensorsReader file(folder / weights_file);
  std::set<std::string> expected;
  torch::NoGradGuard no_grad;
  for (const auto& a : lora_adapters(model)) {
    for (auto [matrix, weight] : {std::pair{".lora_A.weight", a.adapter->lora_A->weight}, std::pair{".lora_B.weight", a.adapter->lora_B->weight}}) {
      const auto key = peft_key_prefix + a.module_path + matrix;
      expected.insert(key);
      if (!file.find(key)) {
        throw Error(ErrorKind::invalid_input, file.path().string() + ": missing adapter tensor '" + key + "'", "adapter");
      }
      auto saved = file.read(key);
      if (saved.sizes() != weight.sizes()) {
        throw Error(ErrorKind::invalid_input, file.path().string() + ": adapter tensor '" + key + "' has shape " +
                                                  c10::str(saved.sizes()) + " but the model needs " + c10::str(weight.sizes()),
                    "adapter");
      }
      weight.copy_(saved);
    }
  }
  for (const auto& entry : file.entries()) {
    if (!expected.count(entry.name)) {
      throw Error(ErrorKind::invalid_input,
                  file.path().string() + ": unexpected tensor '" + entry.name + "' that is not an adapter of this model", "adapter");
    }
  }
}

}  // namespace ft
