// LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"): a frozen
// projection W plus a trained low-rank update, y = W x + b + (alpha / r) B A dropout(x), with
// A [r, in] and B [out, r]. B starts at zero, so an adapted model starts as its base.
//
// Adapters live inside the projections they adapt (ft::Linear, GPT-2's Conv1D) as two
// submodules named "lora_A" and "lora_B", so the base keeps its Hugging Face parameter names
// ("model.layers.0.self_attn.q_proj.weight") and the adapter's are PEFT's without its prefix
// ("model.layers.0.self_attn.q_proj.lora_A.weight"; PEFT saves them under "base_model.model.").
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/models/layers.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ft {

struct LoraSettings {
  int64_t rank = 8;     // r
  double alpha = 16;    // the update is scaled by alpha / r
  double dropout = 0;   // on the adapter's input only, while training
  // Short module names, as PEFT's target_modules: "q_proj", "down_proj", "c_attn", "lm_head".
  std::vector<std::string> target_modules;
};

// The update of one projection with `in` inputs and `out` outputs.
class LoraAdapter {
 public:
  LoraAdapter(int64_t in, int64_t out, const LoraSettings& settings);

  // (alpha / r) dropout(x) A^T B^T, in x's dtype; dropout only when `training`.
  torch::Tensor update(const torch::Tensor& x, bool training) const;
  // (alpha / r) B A, [out, in]: what merging adds to an nn.Linear weight.
  torch::Tensor delta_weight() const;

  int64_t rank() const { return rank_; }
  double alpha() const { return alpha_; }
  double dropout() const { return dropout_; }

  Linear lora_A, lora_B;  // A [r, in], B [out, r], as nn.Linear stores them

 private:
  int64_t rank_;
  double alpha_, dropout_;
};

// One adapted projection of a model.
struct AdaptedProjection {
  std::string module_path;  // "model.layers.0.self_attn.q_proj"
  std::string short_name;   // "q_proj"
  std::shared_ptr<LoraAdapter> adapter;
  bool fan_in_fan_out;  // the base weight is stored [in, out] (GPT-2's Conv1D), as PEFT names it
};

// Adds an adapter to every projection whose short name is in settings.target_modules and
// freezes every other parameter. A is drawn as PEFT draws it (kaiming-uniform with a = sqrt(5),
// that is uniform in +-1/sqrt(in)) from `seed`; B is zero. Throws ft::Error(invalid_argument,
// "lora_target_modules") for a name that is not a projection of this model, and
// (invalid_argument, "lora_rank" / "lora_alpha" / "lora_dropout") for values out of range.
void attach_lora(CausalLM& model, const LoraSettings& settings, uint64_t seed);

// The model's adapted projections in module order; empty for a model without adapters.
std::vector<AdaptedProjection> lora_adapters(CausalLM& model);
bool has_lora(CausalLM& model);

// The settings the adapters were made with (target modules in module order).
LoraSettings lora_settings_of(CausalLM& model);

// True for an adapter parameter name ("....lora_A.weight", "....lora_B.weight"): these are not
// part of a Hugging Face checkpoint.
bool is_lora_parameter(const std::string& name);

// Folds every adapter into its base weight (W + (alpha / r) B A, transposed for [in, out]
// weights) and removes the adapters: the model computes what it did (up to rounding), as a
// plain model with Hugging Face parameters only. Merged weights are fp32 (a base held in bf16
// would round most of the update away). Which parameters require grad is unchanged.
void merge_lora(CausalLM& model);

// The projections of a model that LoRA can adapt, by short name, in module order, without
// repeats ("q_proj", "k_proj", ... or "c_attn", "c_proj", "c_fc", and "lm_head" when untied).
std::vector<std::string> adaptable_module_names(CausalLM& model);

}  // namespace ft
