#include "engine/training/adamw.h"

#include "engine/core/error.h"
#include "engine/formats/safetensors_reader.h"

#include <algorithm>

namespace ft {

bool AdamW::decays(const std::string& name, const torch::Tensor& parameter) {
  const bool embedding = name.find("embed_tokens") != std::string::npos || name.find(".wte.") != std::string::npos ||
                         name.find(".wpe.") != std::string::npos;
  return parameter.dim() >= 2 && !embedding;
}

AdamW::AdamW(const torch::OrderedDict<std::string, torch::Tensor>& parameters, AdamWOptions options)
    : options_(options) {
  for (const auto& p : parameters) {
    if (!p.value().requires_grad()) continue;
    const bool decay = decays(p.key(), p.value());
    auto group = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
      const auto& first = slots_[g.slots.front()].parameter;
      return g.decay == decay && first.scalar_type() == p.value().scalar_type() && first.device() == p.value().device();
    });
    if (group == groups_.end()) {
      group = groups_.insert(groups_.end(), {decay, {}, torch::zeros({}, p.value().options().dtype(torch::kFloat))});
    }
    group->slots.push_back(slots_.size());
    slots_.push_back({p.key(), p.value(), torch::zeros_like(p.value()), torch::zeros_like(p.value()), decay});
  }
}

void AdamW::step(double learning_rate) {
  torch::NoGradGuard no_grad;
  ++steps_;
  for (auto& group : groups_) step_group(group, learning_rate);
}

// One pass over each parameter's memory instead of the seven of the same update written with
// tensor operations: on small models, where a step is many small tensors, that per-operation
// cost was a quarter of the step.
void AdamW::step_group(Group& group, double learning_rate) {
  std::vector<torch::Tensor> parameters, grads, exp_avgs, exp_avg_sqs;
  for (const size_t i : group.slots) {
    const auto& s = slots_[i];
    if (!s.parameter.grad().defined()) continue;
    parameters.push_back(s.parameter);
    grads.push_back(s.parameter.grad());
    exp_avgs.push_back(s.exp_avg);
    exp_avg_sqs.push_back(s.exp_avg_sq);
  }
  if (parameters.empty()) return;
  group.step_count.fill_(static_cast<double>(steps_));
  const std::vector<torch::Tensor> step_counts(parameters.size(), group.step_count);
  at::_fused_adamw_(parameters, grads, exp_avgs, exp_avg_sqs, /*max_exp_avg_sqs=*/{}, step_counts, learning_rate,
                    options_.beta1, options_.beta2, group.decay ? options_.weight_decay : 0.0, options_.epsilon,
                    /*amsgrad=*/false, /*maximize=*/false);
}

void AdamW::zero_grad() {
  for (auto& s : slots_) {
    if (s.parameter.grad().defined()) s.parameter.mutable_grad().zero_();
  }
}

NamedTensors AdamW::state() const {
  NamedTensors out;
  out.emplace_back("step", torch::tensor({steps_}, torch::kLong));
  for (const auto& s : slots_) {
    out.emplace_back("exp_avg." + s.name, s.exp_avg);
    out.emplace_back("exp_avg_sq." + s.name, s.exp_avg_sq);
  }
  return out;
}

void AdamW::load_state(const SafetensorsReader& file) {
  torch::NoGradGuard no_grad;
  for (auto& s : slots_) {
    using Entry = std::pair<const char*, torch::Tensor*>;
    for (auto [prefix, tensor] : {Entry{"exp_avg.", &s.exp_avg}, Entry{"exp_avg_sq.", &s.exp_avg_sq}}) {
      auto saved = file.read(prefix + s.name);
      if (saved.sizes() != tensor->sizes()) {
        throw Error(ErrorKind::invalid_input, file.path().string() + ": optimizer state '" + prefix + s.name +
                                                  "' does not match the model's parameter shape");
      }
      tensor->copy_(saved);
    }
  }
  steps_ = file.read("step").item<int64_t>();
}

double clip_gradient_norm(const torch::OrderedDict<std::string, torch::Tensor>& parameters, double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters) {
    if (p.value().grad().defined()) grads.push_back(p.value().grad());
  }
  if (grads.empty()) return 0;
  const double total = torch::stack(at::_foreach_norm(grads, 2)).to(torch::kDouble).norm(2).item<double>();
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1) at::_foreach_mul_(grads, scale);
  return total;
}

}  // namespace ft
