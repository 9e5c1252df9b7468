#include "engine/models/layers.h"

#include "engine/models/lora.h"

#include <ATen/autocast_mode.h>

namespace ft {

torch::Tensor project(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  // Autocast already runs the product in its own dtype; casting x to the weight's first would
  // only add two copies of the activations. at::linear, not torch::nn::functional::linear (a
  // matmul with the weight's transpose, a view): autocast keeps its bf16 copy of a weight only
  // when it casts the weight itself, and the chunked loss reuses the head's across chunks.
  if (x.scalar_type() == weight.scalar_type() || at::autocast::is_autocast_enabled(x.device().type())) {
    return at::linear(x, weight, bias);
  }
  auto y = at::linear(x.to(weight.scalar_type()), weight).to(x.scalar_type());
  return bias.defined() ? y + bias : y;
}

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias) {
  weight = register_parameter("weight", torch::empty({out, in}));
  if (with_bias) bias = register_parameter("bias", torch::empty({out}));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  auto y = project(x, weight, bias);
  if (adapter_) y = y + adapter_->update(x, is_training());
  return y;
}

void LinearImpl::attach_adapter(std::shared_ptr<LoraAdapter> adapter) {
  register_module("lora_A", adapter->lora_A);
  register_module("lora_B", adapter->lora_B);
  adapter_ = std::move(adapter);
}

void LinearImpl::merge_adapter() {
  if (!adapter_) return;
  torch::NoGradGuard no_grad;
  // In fp32: an update a hundredth of the weight would mostly round away in bf16.
  weight.set_data(weight.to(torch::kFloat) + adapter_->delta_weight());
  unregister_module("lora_A");
  unregister_module("lora_B");
  adapter_.reset();
}

EmbeddingImpl::EmbeddingImpl(int64_t count, int64_t dim) {
  weight = register_parameter("weight", torch::empty({count, dim}));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) { return torch::embedding(weight, ids).to(torch::kFloat); }

}  // namespace ft
