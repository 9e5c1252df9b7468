#include "engine/training/adamw.h"

#include "engine/core/error.h"
#include "engine/formats/safetensors_reader.h"

#include <cmath>

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
    slots_.push_back({p.key(), p.value(), torch::zeros_like(p.value()), torch::zeros_like(p.value()),
                      decays(p.key(), p.value())});
  }
}

void AdamW::step(double learning_rate) {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double correction1 = 1 - std::pow(options_.beta1, static_cast<double>(steps_));
  const double correction2 = 1 - std::pow(options_.beta2, static_cast<double>(steps_));
  for (auto& s : slots_) {
    const auto& grad = s.parameter.grad();
    if (!grad.defined()) continue;
    if (s.decay) s.parameter.mul_(1 - learning_rate * options_.weight_decay);
    s.exp_avg.mul_(options_.beta1).add_(grad, 1 - options_.beta1);
    s.exp_avg_sq.mul_(options_.beta2).addcmul_(grad, grad, 1 - options_.beta2);
    auto denominator = (s.exp_avg_sq.sqrt() / std::sqrt(correction2)).add_(options_.epsilon);
    s.parameter.addcdiv_(s.exp_avg, denominator, -learning_rate / correction1);
  }
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
  std::vector<torch::Tensor> norms;
  for (const auto& p : parameters) {
    if (p.value().grad().defined()) norms.push_back(p.value().grad().norm(2).to(torch::kDouble));
  }
  if (norms.empty()) return 0;
  const double total = torch::stack(norms).norm(2).item<double>();
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1) {
    for (const auto& p : parameters) {
      if (p.value().grad().defined()) p.value().mutable_grad().mul_(scale);
    }
  }
  return total;
}

}  // namespace ft
