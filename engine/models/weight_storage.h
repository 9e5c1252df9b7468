// Which dtype a model's weights are held in. Fine-tuning every weight keeps fp32 master weights;
// a frozen base (LoRA) needs no fp32 copy, so its matrices can stay in the checkpoint's 16-bit
// dtype: half the memory, and their products run on the processor's bf16 units (project() in
// layers.h). Vectors (norm weights, biases) are small and stay fp32.
#pragma once

#include "engine/models/causal_lm.h"

#include <torch/torch.h>

namespace ft {

// The dtype a frozen base is held in on `device`, for a checkpoint whose matrices are stored in
// `stored`: bf16 as stored; fp16 only on a GPU, since a CPU has no fast fp16 products; anything
// else in fp32.
torch::ScalarType frozen_base_dtype(torch::ScalarType stored, const torch::Device& device);

// Converts every parameter with two or more dimensions (projections, embeddings) to `dtype`.
// Call it before attaching LoRA adapters, which are matrices too and must stay fp32.
void hold_matrices_in(CausalLM& model, torch::ScalarType dtype);

}  // namespace ft
