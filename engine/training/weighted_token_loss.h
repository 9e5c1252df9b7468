// The fine-tuning loss: per-token cross-entropy weighted by the token's loss weight (completion
// tokens 1, prompt tokens prompt_loss_weight).
//
// Normalisation: the loss of an optimizer step is sum(weight * cross_entropy) / sum(weight)
// over every predicted token of every example in the step, whatever the micro-batching, so
// gradient accumulation gives exactly the gradient of the whole batch at once. With weight 0 a
// prompt token contributes nothing to the loss or its gradient; with 1 it counts like a
// completion token.
#pragma once

#include "engine/data/packed_batch.h"
#include "engine/models/causal_lm.h"
#include "engine/training/mixed_precision.h"

#include <optional>

namespace ft {

struct TokenLossSums {
  torch::Tensor weighted_loss;  // sum(weight * cross_entropy), differentiable
  double weight = 0;            // sum(weight)
  int64_t correct_completion = 0;  // completion targets whose logit is the largest
  int64_t completion = 0;          // completion targets
  // sum(cross_entropy) over the completion targets alone; chunked_token_loss sums it only
  // without a backward pass (evaluation)
  double completion_loss = 0;
};

// The plain formula, on logits [rows, time, vocab] of the whole batch.
TokenLossSums weighted_token_loss(const torch::Tensor& logits, const PackedBatch& batch);

// How chunked_token_loss runs.
struct ChunkedLoss {
  int64_t chunk_positions = 1;  // positions per chunk: loss_chunk_positions(vocab)
  // With a value, the backward pass of gradient_scale x the weighted loss runs too.
  std::optional<double> gradient_scale;
  Precision precision = Precision::fp32;  // of the output head's product (bf16: under autocast)
};

// The same sums from the model's final hidden states [rows, time, hidden], running its output
// head on a chunk of positions at a time, so that one chunk's logits exist at once instead of
// every position's three times over (logits, log-softmax, their gradient): with vocabularies of
// 50k-150k tokens those are a step's largest tensors. With a gradient_scale, it also runs the
// backward pass, each chunk's at once (into the head's parameters and the hidden states'
// gradient), then the hidden states' through the rest of the model, outside autocast;
// weighted_loss is then a value without a graph. Equal to the plain formula up to the order of
// floating-point sums.
TokenLossSums chunked_token_loss(CausalLM& model, const torch::Tensor& hidden, const PackedBatch& batch,
                                 const ChunkedLoss& how);

// One packed micro-batch through the model as training runs it, on the model's device: the
// hidden states under autocast in `precision`, then chunked_token_loss, with the backward pass
// of gradient_scale x the loss when gradient_scale has a value.
TokenLossSums micro_batch_loss(CausalLM& model, const PackedBatch& micro_batch, Precision precision,
                               std::optional<double> gradient_scale);

// Positions per chunk for a vocabulary: about 32M logits (128 MB in fp32; with their
// log-softmax and gradient about 384 MB while the chunk runs), at least one. Each chunk's backward
// pass adds its share of the head's weight gradient into the fp32 gradient (under autocast, after
// a cast from bf16): a pass over the whole [vocab, hidden] matrix per chunk, which at 8M logits
// cost a 163M-parameter model (vocabulary 49152) 8% of its step.
int64_t loss_chunk_positions(int64_t vocab_size);

}  // namespace ft
