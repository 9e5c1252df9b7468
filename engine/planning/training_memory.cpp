#include "engine/planning/training_memory.h"

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

// The logits, their log-softmax for the loss, and the gradient of the logits: three rows of the
// vocabulary per token, in fp32 also under autocast (the loss runs in fp32), and often the
// largest single term for small models.
int64_t output_bytes_per_token(const ModelSummary& m) { return 3 * m.vocab_size * fp32_bytes; }

}  // namespace

TrainingMemoryEstimate estimate_training_memory(const ModelSummary& model, int64_t micro_batch, int64_t seq_len,
                                                bool gpu) {
  TrainingMemoryEstimate e;
  e.model_state_bytes = 4 * fp32_bytes * model.parameter_count;
  const int64_t block_bytes = gpu ? bf16_bytes * block_values_per_token(model)
                                  : fp32_bytes * (block_values_per_token(model) + attention_scores_per_token(model, seq_len));
  const int64_t bytes_per_token = model.num_layers * block_bytes + output_bytes_per_token(model);
  e.activation_bytes = micro_batch * seq_len * bytes_per_token;
  return e;
}

TrainingMemoryEstimate estimate_lora_training_memory(const ModelSummary& model, int64_t adapter_parameters,
                                                     int64_t micro_batch, int64_t seq_len, bool gpu) {
  TrainingMemoryEstimate e = estimate_training_memory(model, micro_batch, seq_len, gpu);
  e.model_state_bytes = model.frozen_bytes_per_parameter * model.parameter_count + 4 * fp32_bytes * adapter_parameters;
  return e;
}

}  // namespace ft
