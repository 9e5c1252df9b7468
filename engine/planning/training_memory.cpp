#include "engine/planning/training_memory.h"

#include "engine/training/weighted_token_loss.h"

#include <algorithm>

namespace ft {
namespace {

constexpr int64_t fp32_bytes = 4;
constexpr int64_t bf16_bytes = 2;

// A training process's floor, measured with `make bench` (docs/performance.md): libtorch's code
// and thread pools (about 175 MB for a 158k-parameter model) and the pages the allocator keeps
// between steps, which a 7M-parameter run's resident memory never falls below.
constexpr int64_t runtime_bytes = 400'000'000;

// Values the backward pass needs per token of one transformer block, counted after Korthikanti
// et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models", section 4) for an
// eager block: ten hidden-sized tensors (two norm inputs and outputs, queries, keys, values and
// their rotated copies, the attention output, the residual) and four feed-forward-sized ones (up
// and gate projections, the activation, their product).
int64_t block_values_per_token(const ModelSummary& m) {
  const int64_t feed_forward = m.intermediate_size > 0 ? m.intermediate_size : 4 * m.hidden_size;
  return 10 * m.hidden_size + 4 * feed_forward;
}

// What the engine keeps per counted value, in tenths of a byte, measured with `make bench`'s
// models (docs/performance.md): in fp32 about 1.2 values of 4 bytes (rotations and grouped-query
// repeats keep copies); under bf16 autocast about 1.6 values of 2 bytes, since the norms still
// compute in fp32 and autocast keeps casts of their outputs beside them.
constexpr int64_t saved_tenth_bytes_fp32 = 48;
constexpr int64_t saved_tenth_bytes_bf16 = 32;

// The loss runs the output head on one chunk of positions at a time (chunked_token_loss): that
// chunk's logits, their log-softmax and their gradient, in fp32 also under autocast.
int64_t output_bytes(const ModelSummary& m, int64_t tokens) {
  return 3 * std::min(tokens, loss_chunk_positions(m.vocab_size)) * m.vocab_size * fp32_bytes;
}

int64_t activation_bytes(const ModelSummary& m, int64_t tokens, bool bf16_activations) {
  const int64_t tenths = bf16_activations ? saved_tenth_bytes_bf16 : saved_tenth_bytes_fp32;
  const int64_t per_token = m.num_layers * block_values_per_token(m) * tenths / 10;
  return tokens * per_token + output_bytes(m, tokens);
}

}  // namespace

TrainingMemoryEstimate estimate_training_memory(const ModelSummary& model, int64_t micro_batch, int64_t seq_len,
                                                bool bf16_activations) {
  TrainingMemoryEstimate e;
  e.runtime_bytes = runtime_bytes;
  // Under autocast each fp32 weight also has the bf16 copy the forward pass multiplies with.
  e.bf16_weight_copies = bf16_activations;
  e.bytes_per_base_parameter = 4 * fp32_bytes + (e.bf16_weight_copies ? bf16_bytes : 0);
  e.model_state_bytes = e.bytes_per_base_parameter * model.parameter_count;
  e.activation_bytes = activation_bytes(model, micro_batch * seq_len, bf16_activations);
  return e;
}

TrainingMemoryEstimate estimate_lora_training_memory(const ModelSummary& model, int64_t adapter_parameters,
                                                     int64_t micro_batch, int64_t seq_len, bool bf16_activations) {
  TrainingMemoryEstimate e = estimate_training_memory(model, micro_batch, seq_len, bf16_activations);
  // A base held in fp32 gets bf16 copies under autocast too; one held in bf16 is used as it is.
  e.bf16_weight_copies = bf16_activations && model.frozen_bytes_per_parameter == fp32_bytes;
  e.bytes_per_base_parameter = model.frozen_bytes_per_parameter + (e.bf16_weight_copies ? bf16_bytes : 0);
  e.model_state_bytes = e.bytes_per_base_parameter * model.parameter_count + 4 * fp32_bytes * adapter_parameters;
  return e;
}

}  // namespace ft
