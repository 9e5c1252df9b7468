// How much memory a training run takes at its peak, estimated from the model's shape: where the
// device cannot be probed (the CPU), this is what decides the micro-batch size and whether full
// fine-tuning fits. It is the peak resident memory of a process that trains (measured on
// workloads (a)-(c) of `make bench`, docs/performance.md), not a lower bound.
#pragma once

#include "engine/planning/model_summary.h"

#include <cstdint>

namespace ft {

struct TrainingMemoryEstimate {
  // What any training process holds whatever it trains: libtorch's code, its thread pools and
  // allocator arenas.
  int64_t runtime_bytes = 0;
  // Trained weights, their gradients and AdamW's two moments (16 bytes a parameter, fp32 master
  // weights under bf16 autocast too), plus a frozen base's weights for LoRA and, under bf16
  // autocast, the bf16 copies of fp32 weights it keeps for the forward pass.
  int64_t model_state_bytes = 0;
  // Of which each base parameter takes this much: 16 trained in fp32, 18 with its bf16 copy; for
  // LoRA the frozen weight's 2 or 4, 6 with a copy (the adapters take 16 a parameter).
  int64_t bytes_per_base_parameter = 0;
  bool bf16_weight_copies = false;
  // What the forward pass keeps for the backward pass, for one micro-batch, and the loss's chunk.
  int64_t activation_bytes = 0;

  int64_t total_bytes() const { return runtime_bytes + model_state_bytes + activation_bytes; }
};

// For micro-batches of `micro_batch` sequences of `seq_len` tokens without activation
// checkpointing, in fp32 or (with `bf16_activations`) under bf16 autocast; attention is the
// fused kernel, which stores no seq_len x seq_len scores.
TrainingMemoryEstimate estimate_training_memory(const ModelSummary& model, int64_t micro_batch, int64_t seq_len,
                                                bool bf16_activations);

// The same for LoRA with `adapter_parameters` trained parameters: the frozen base keeps its
// weights only (model.frozen_bytes_per_parameter: no gradients, no moments), the adapters 16
// bytes a parameter; activations as for full fine-tuning, since the backward pass still runs through
// every layer to reach the adapters below.
TrainingMemoryEstimate estimate_lora_training_memory(const ModelSummary& model, int64_t adapter_parameters,
                                                     int64_t micro_batch, int64_t seq_len, bool bf16_activations);

}  // namespace ft
