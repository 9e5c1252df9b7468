#include "engine/planning/training_memory.h"

#include "engine/training/weighted_token_loss.h"

#include <algorithm>

namespace ft {
namespace {

constexpr int64_t fp32_bytes = 4;
constexpr int64_t bf16_bytes = 2;

// Values the backward pass needs per token of one transformer block, counted after Korthikanti
// et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models", section 4) for an
// eager block: ten hidden-sized tensors (two norm inputs and outputs, queries, keys, values and
// their rotated copies, the attention output, the residual) and four feed-forward-sized ones (up
// and gate projections, the activation, their product).
int64_t block_values_per_token(const ModelSummary& m) {
  const int64_t feed_forward = m.intermediate_size > 0 ? m.intermediate_size : 4 * m.hidden_size;
  return 10 * m.hidden_size + 4 * feed_forward;
}

// Unfused attention also keeps its scores before and after the softmax: a row of seq_len per head.
int64_t attention_scores_per_token(const ModelSummary& m, int64_t seq_len) {
  const int64_t heads = m.num_heads > 0 ? m.num_heads : (m.hidden_size + 63) / 64;
  return 2 * heads * seq_len;
}

// The loss runs the output head on one chunk of positions at a time (chunked_token_loss): that
// chunk's logits, their log-softmax and their gradient, in fp32 also under autocast.
int64_t output_bytes(const ModelSummary& m, int64_t tokens) {
  return 3 * std::min(tokens, loss_chunk_positions(m.vocab_size)) * m.vocab_size * fp32_bytes;
}

}  // namespace

TrainingMemoryEstimate estimate_training_memory(const ModelSummary& model, int64_t micro_batch, int64_t seq_len,
                                                bool gpu) {
  TrainingMemoryEstimate e;
  e.model_state_bytes = 4 * fp32_bytes * model.parameter_count;
  const int64_t block_bytes = gpu ? bf16_bytes * block_values_per_token(model)
                                  : fp32_bytes * (block_values_per_token(model) + attention_scores_per_token(model, seq_len));
  const int64_t tokens = micro_batch * seq_len;
  e.activation_bytes = tokens * model.num_layers * block_bytes + output_bytes(model, tokens);
  return e;
}

TrainingMemoryEstimate estimate_lora_training_memory(const ModelSummary& model, int64_t adapter_parameters,
                                                     int64_t micro_batch, int64_t seq_len, bool gpu) {
  TrainingMemoryEstimate e = estimate_training_memory(model, micro_batch, seq_len, gpu);
  e.model_state_bytes = model.frozen_bytes_per_parameter * model.parameter_count + 4 * fp32_bytes * adapter_parameters;
  return e;
}

}  // namespace ft
