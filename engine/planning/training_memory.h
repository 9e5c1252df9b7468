// How much memory one training step takes, estimated from the model's shape: where the device
// cannot be probed (the CPU), this is what decides the micro-batch size.
#pragma once

#include "engine/planning/model_summary.h"

#include <cstdint>

namespace ft {

struct TrainingMemoryEstimate {
  // fp32 weights, their gradients and AdamW's two moments: 16 bytes per parameter, whatever the
  // batch (bf16 autocast keeps fp32 master weights too).
  int64_t model_state_bytes = 0;
  // What the forward pass keeps for the backward pass, for one micro-batch.
  int64_t activation_bytes = 0;

  int64_t total_bytes() const { return model_state_bytes + activation_bytes; }
};

// For micro-batches of `micro_batch` sequences of `seq_len` tokens without activation
// checkpointing: in fp32 with the attention scores stored (the CPU), or, with `gpu`, in bf16
// autocast with fused attention, which stores no seq_len x seq_len scores. It errs on the high
// side: it counts every saved tensor as alive at once.
TrainingMemoryEstimate estimate_training_memory(const ModelSummary& model, int64_t micro_batch, int64_t seq_len,
                                                bool gpu);

// The same for LoRA with `adapter_parameters` trained parameters: the frozen base keeps its
// weights only (model.frozen_bytes_per_parameter: no gradients, no moments), the adapters 16
// bytes a parameter; activations as for full fine-tuning, since the backward pass still runs through
// every layer to reach the adapters below.
TrainingMemoryEstimate estimate_lora_training_memory(const ModelSummary& model, int64_t adapter_parameters,
                                                     int64_t micro_batch, int64_t seq_len, bool gpu);

}  // namespace ft
