// Mixed precision (Micikevicius et al. 2018, "Mixed Precision Training"), with bf16 as Kalamkar
// et al. 2019 ("A Study of BFLOAT16 for Deep Learning Training") use it: matrix products and
// attention in bf16 through libtorch's autocast, while weights, gradients, optimizer state, norms
// and the loss stay fp32. bf16 keeps fp32's exponent range, so no loss scaling is needed.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ft {

enum class Precision { fp32, bf16 };

const char* to_string(Precision precision);
// "fp32" or "bf16"; throws ft::Error(invalid_argument) naming `param` otherwise.
Precision parse_precision(const std::string& name, const std::string& param);

// Whether `device` computes bf16 products natively: a CPU with AVX512-BF16 or AMX (from
// /proc/cpuinfo's flags), or a CUDA GPU.
bool has_native_bf16(const torch::Device& device);

// Keeps autocast's bf16 copies of the weights alive across the AutocastScopes opened in its
// lifetime, which would each cast again otherwise: the chunked loss runs the output head once per
// chunk, and its weight (the largest matrix of a model with a big vocabulary) is then cast once.
// The backward passes between those scopes run without autocast, as they must.
class AutocastCastCache {
 public:
  explicit AutocastCastCache(Precision precision);
  ~AutocastCastCache();
  AutocastCastCache(const AutocastCastCache&) = delete;
  AutocastCastCache& operator=(const AutocastCastCache&) = delete;

 private:
  bool active_ = false;
};

// Autocast to bf16 on `device` for its lifetime when `precision` is bf16; otherwise nothing.
// Restores the previous autocast state and drops autocast's cache of cast weights on exit (unless
// an enclosing AutocastCastCache keeps it), since the optimizer changes the weights between steps.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kBFloat16;
  AutocastCastCache cast_cache_;  // the scope's own cast weights, dropped when it ends
};

}  // namespace ft
