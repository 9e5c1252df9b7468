// Everything a fine-tuning job needs before its first step, validated: the model (loaded from a
// checkpoint, or freshly initialised from a named architecture), its tokenizer, the tokenized
// training and validation sets, the machine, and the resolved hyper-parameters. ft_plan runs
// exactly this, so a plan that succeeds means the job will start, and a job runs it again.
#pragma once

#include "engine/data/chat_format.h"
#include "engine/data/training_data.h"
#include "engine/models/causal_lm.h"
#include "engine/models/lora.h"
#include "engine/planning/hyperparameter_policy.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/trainer.h"
#include "engine/training_request.h"

#include <memory>
#include <optional>

namespace ft {

struct TrainingSetup {
  std::shared_ptr<CausalLM> model;
  std::shared_ptr<Tokenizer> tokenizer;
  bool pretrained = true;  // false: a named architecture, trained from scratch
  ChatFormat chat_format = generic_chat_format("");  // how chat examples were rendered, and why
  TrainingData training;
  std::optional<TrainingData> validation;
  MachineSummary machine;
  HyperparameterPlan plan;
};

// Loads and checks everything the request names (model files and tensor table, tokenizer, every
// data line) and resolves the hyper-parameters, probing one micro-batch on `device` to estimate
// the run's time. Throws ft::Error whose param names the request field at fault.
TrainingSetup prepare_training(const TrainingRequest& request, const torch::Device& device);

// The trainer's options from a resolved plan.
TrainingOptions training_options(const HyperparameterPlan& plan);

// The adapters a plan asks for (method "lora"), attached by prepare_training; nullopt for full
// fine-tuning.
std::optional<LoraSettings> lora_settings(const HyperparameterPlan& plan);

// What ft_plan returns: {"model", "device", "chat_template": {"used": "model" | "generic",
// "reason"}, "hyperparameters": {...}, "data": {"training":
// statistics, "validation": statistics | null}, "estimate": {...}, "warnings": [...]}.
nlohmann::json describe_plan(const TrainingSetup& setup, const torch::Device& device);

// Free memory of `device` (RAM from /proc/meminfo on the CPU) and its core count.
MachineSummary describe_machine(const torch::Device& device);

}  // namespace ft
