#include "engine/models/lora.h"

#include "engine/core/error.h"
#include "engine/core/string_affixes.h"
#include "engine/models/gpt2_model.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace ft {
namespace {

std::string short_name_of(const std::string& module_path) {
  const auto dot = module_path.rfind('.');
  return dot == std::string::npos ? module_path : module_path.substr(dot + 1);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

void check_settings(const LoraSettings& s) {
  if (s.rank < 1) {
    throw Error(ErrorKind::invalid_argument, "lora_rank must be at least 1, found " + std::to_string(s.rank), "lora_rank");
  }
  if (!(s.alpha > 0) || !std::isfinite(s.alpha)) {
    throw Error(ErrorKind::invalid_argument, "lora_alpha must be positive, found " + std::to_string(s.alpha), "lora_alpha");
  }
  if (!(s.dropout >= 0 && s.dropout < 1)) {
    throw Error(ErrorKind::invalid_argument, "lora_dropout must be from 0 to less than 1, found " + std::to_string(s.dropout),
                "lora_dropout");
  }
  if (s.target_modules.empty()) {
    throw Error(ErrorKind::invalid_argument, "lora_target_modules must name at least one projection", "lora_target_modules");
  }
}

// A projection LoRA can adapt: an ft::Linear or GPT-2's Conv1D, never an adapter's own matrices.
struct Projection {
  LinearImpl* linear = nullptr;
  Conv1DImpl* conv1d = nullptr;
  explicit operator bool() const { return linear || conv1d; }
};

Projection projection_of(const std::string& path, torch::nn::Module& module) {
  const auto name = short_name_of(path);
  if (name == "lora_A" || name == "lora_B") return {};
  return {dynamic_cast<LinearImpl*>(&module), dynamic_cast<Conv1DImpl*>(&module)};
}

}  // namespace

LoraAdapter::LoraAdapter(int64_t in, int64_t out, const LoraSettings& settings)
    : lora_A(in, settings.rank, false),
      lora_B(settings.rank, out, false),
      rank_(settings.rank),
      alpha_(settings.alpha),
      dropout_(settings.dropout) {}

torch::Tensor LoraAdapter::update(const torch::Tensor& x, bool training) const {
  const double scaling = alpha_ / static_cast<double>(rank_);
  auto input = dropout_ > 0 ? torch::dropout(x, dropout_, training) : x;
  return torch::nn::functional::linear(torch::nn::functional::linear(input, lora_A->weight), lora_B->weight) * scaling;
}

torch::Tensor LoraAdapter::delta_weight() const {
  const double scaling = alpha_ / static_cast<double>(rank_);
  return torch::matmul(lora_B->weight, lora_A->weight) * scaling;
}

void attach_lora(CausalLM& model, const LoraSettings& settings, uint64_t seed) {
  check_settings(settings);
  if (has_lora(model)) throw Error(ErrorKind::invalid_argument, "the model already has LoRA adapters", "method");
  const auto adaptable = adaptable_module_names(model);
  for (const auto& target : settings.target_modules) {
    if (!contains(adaptable, target)) {
      throw Error(ErrorKind::invalid_argument,
                  "lora_target_modules: '" + target + "' is not a projection of this model; its projections are " + joined(adaptable),
                  "lora_target_modules");
    }
  }
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  for (const auto& m : model.named_modules()) {
    const auto projection = projection_of(m.key(), *m.value());
    if (!projection || !contains(settings.target_modules, short_name_of(m.key()))) continue;
    const int64_t in = projection.linear ? projection.linear->weight.size(1) : projection.conv1d->in_features();
    const int64_t out = projection.linear ? projection.linear->weight.size(0) : projection.conv1d->out_features();
    const auto device = m.value()->parameters(false).front().device();
    auto adapter = std::make_shared<LoraAdapter>(in, out, settings);
    // kaiming_uniform_(a = sqrt(5)) as nn.Linear and PEFT draw A: gain sqrt(2 / 6), bound
    // gain * sqrt(3 / in) = 1 / sqrt(in).
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    adapter->lora_A->weight.uniform_(-bound, bound, generator);
    adapter->lora_B->weight.zero_();
    adapter->lora_A->to(device);
    adapter->lora_B->to(device);
    if (projection.linear) projection.linear->attach_adapter(adapter);
    else projection.conv1d->attach_adapter(adapter);
  }
  for (auto& p : model.named_parameters(true)) p.value().set_requires_grad(is_lora_parameter(p.key()));
}

std::vector<AdaptedProjection> lora_adapters(CausalLM& model) {
  std::vector<AdaptedProjection> found;
  for (const auto& m : model.named_modules()) {
    const auto projection = projection_of(m.key(), *m.value());
    if (projection.linear && projection.linear->adapter()) {
      found.push_back({m.key(), short_name_of(m.key()), projection.linear->adapter(), false});
    } else if (projection.conv1d && projection.conv1d->adapter()) {
      found.push_back({m.key(), short_name_of(m.key()), projection.conv1d->adapter(), true});
    }
  }
  return found;
}

bool has_lora(CausalLM& model) { return !lora_adapters(model).empty(); }

LoraSettings lora_settings_of(CausalLM& model) {
  const auto adapters = lora_adapters(model);
  if (adapters.empty()) throw Error(ErrorKind::internal, "the model has no LoRA adapters");
  LoraSettings settings;
  settings.rank = adapters.front().adapter->rank();
  settings.alpha = adapters.front().adapter->alpha();
  settings.dropout = adapters.front().adapter->dropout();
  for (const auto& a : adapters) {
    if (!contains(settings.target_modules, a.short_name)) settings.target_modules.push_back(a.short_name);
  }
  return settings;
}

bool is_lora_parameter(const std::string& name) {
  return name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos ||
         starts_with(name, "lora_A.") || starts_with(name, "lora_B.");
}

void merge_lora(CausalLM& model) {
  for (const auto& m : model.named_modules()) {
    const auto projection = projection_of(m.key(), *m.value());
    if (projection.linear) projection.linear->merge_adapter();
    if (projection.conv1d) projection.conv1d->merge_adapter();
  }
}

std::vector<std::string> adaptable_module_names(CausalLM& model) {
  std::vector<std::string> names;
  for (const auto& m : model.named_modules()) {
    const auto name = short_name_of(m.key());
    if (projection_of(m.key(), *m.value()) && !contains(names, name)) names.push_back(name);
  }
  return names;
}

}  // namespace ft
