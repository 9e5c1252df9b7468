// Linear and Embedding layers whose parameters start uninitialised. Every model's weights come
// either from a checkpoint (checkpoint_reader checks that each parameter is in it) or from
// weight_initialization, so libtorch's own initialisation in torch::nn::Linear and Embedding
// would only cost time: 13 s of a 1.5B-parameter model's load on this machine.
#pragma once

#include <torch/torch.h>

#include <memory>

namespace ft {

class LoraAdapter;  // engine/models/lora.h

// Activations are fp32; a weight matrix may be held in bf16 or fp16 (a frozen LoRA base keeps
// its checkpoint's dtype, half the memory of fp32). project() runs the product in the weight's
// dtype, on the processor's bf16 units where it has them, and returns x's dtype; the bias (a
// vector, always fp32) is added after. Under autocast the product is autocast's, in its dtype.
// x W^T + b, W [out, in].
torch::Tensor project(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias = {});

// y = x W^T + b, W [out, in] as nn.Linear stores it; plus a LoRA update when one is attached.
class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in, int64_t out, bool bias);
  torch::Tensor forward(const torch::Tensor& x);

  // Registers the adapter's lora_A and lora_B as submodules of this layer (see lora.h).
  void attach_adapter(std::shared_ptr<LoraAdapter> adapter);
  const std::shared_ptr<LoraAdapter>& adapter() const { return adapter_; }
  // W += (alpha / r) B A, then the adapter is removed; W becomes fp32 if it was held in 16 bits.
  void merge_adapter();

  torch::Tensor weight, bias;  // bias undefined when the layer has none

 private:
  std::shared_ptr<LoraAdapter> adapter_;
};
TORCH_MODULE(Linear);

// A lookup table of `count` rows of `dim`; rows come out in fp32 whatever the table's dtype.
class EmbeddingImpl : public torch::nn::Module {
 public:
  EmbeddingImpl(int64_t count, int64_t dim);
  torch::Tensor forward(const torch::Tensor& ids);

  torch::Tensor weight;
};
TORCH_MODULE(Embedding);

}  // namespace ft
