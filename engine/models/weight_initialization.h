// The initial weights of a model trained from scratch, drawn as transformers' _init_weights draws
// them for the same architecture, so a fresh model starts where a fresh transformers model would.
#pragma once

#include "engine/models/causal_lm.h"

#include <cstdint>

namespace ft {

// Redraws every parameter of `model`, chosen by its Hugging Face name:
// - linear, Conv1D and embedding weights (lm_head included) ~ N(0, initializer_range), where
//   initializer_range is config.source's "initializer_range" or 0.02 (both architectures' default);
// - GPT-2's residual projections (attn.c_proj.weight, mlp.c_proj.weight) ~
//   N(0, initializer_range / sqrt(2 * num_layers)), the GPT-2 paper's scaling for the two
//   residual additions per block. Llama's o_proj and down_proj keep N(0, initializer_range):
//   LlamaPreTrainedModel._init_weights does not scale them;
// - biases 0 (linear, Conv1D and LayerNorm), norm weights 1 (LayerNorm and RMSNorm).
// The draws come from a generator of its own seeded with `seed`, on the CPU, so the same seed
// gives the same weights on any device and the global random state (dropout, data order) is
// left as it was. Throws ft::Error(internal) for a parameter no rule covers.
void initialize_weights(CausalLM& model, uint64_t seed);

}  // namespace ft
