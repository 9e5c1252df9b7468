#include "engine/models/weight_storage.h"

namespace ft {

torch::ScalarType frozen_base_dtype(torch::ScalarType stored, const torch::Device& device) {
  if (stored == torch::kBFloat16 || (stored == torch::kHalf && device.is_cuda())) return stored;
  return torch::kFloat;
}

void hold_matrices_in(CausalLM& model, torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) {
    // set_data swaps the storage under the same parameter, so the module's members and its
    // parameter table keep pointing at it.
    if (p.dim() >= 2 && p.scalar_type() != dtype) p.set_data(p.to(dtype));
  }
}

}  // namespace ft
