// A LoRA adapter folder as PEFT (Hugging Face's parameter-efficient fine-tuning library) saves
// and loads it: adapter_config.json (peft_type "LORA", r, lora_alpha, lora_dropout,
// target_modules, ...) and adapter_model.safetensors with one lora_A [r, in] and one lora_B
// [out, r] per adapted module, named "base_model.model.<module path>.lora_A.weight".
// `PeftModel.from_pretrained(base, folder)` loads what write_peft_adapter writes, and
// load_peft_adapter reads what `PeftModel.save_pretrained` writes.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/models/lora.h"

#include <filesystem>
#include <string>

namespace ft {

// The prefix PEFT's state dict puts before a module path: PeftModelForCausalLM.base_model
// (the LoraModel) .model (the transformers model).
inline const std::string peft_key_prefix = "base_model.model.";

// Writes the model's adapters (fp32) and their config; `base_model_name_or_path` is recorded
// as PEFT records it (the base model's folder or hub name; may be empty). Creates `folder`.
void write_peft_adapter(const std::filesystem::path& folder, CausalLM& model, const std::string& base_model_name_or_path);

// The LoRA settings of an adapter_config.json. Throws ft::Error(unsupported) for PEFT features
// the engine does not compute (DoRA, rsLoRA, per-module ranks, trained biases, extra modules,
// regex target_modules) and ft::Error(invalid_input) for a config that is not a LoRA config.
LoraSettings read_peft_adapter_config(const std::filesystem::path& folder);

// Attaches the folder's adapters to `model` (which has none) and loads their weights: every
// adapter tensor must be in the file with its shape, and every file tensor must be an adapter
// of the model; otherwise ft::Error(invalid_input) names the tensors.
void load_peft_adapter(const std::filesystem::path& folder, CausalLM& model);

// The base model an adapter folder names (base_model_name_or_path), as a folder that exists.
// Throws ft::Error(not_found, "adapter") when it names none or a folder that is not there.
std::filesystem::path peft_base_model_folder(const std::filesystem::path& folder);

// Replaces the weights of the model's attached adapters with the folder's (a training
// checkpoint's adapter), with the same checks.
void load_peft_adapter_weights(const std::filesystem::path& folder, CausalLM& model);

}  // namespace ft
