// A micro-batch of examples packed into rows of at most max_seq_len tokens.
//
// Why packing: the batch size counts examples (as OpenAI's API does), and examples differ a lot
// in length. Padding every example to the longest would spend most of the compute on padding;
// packing several examples into one row, each with its own positions and with attention kept
// inside it (segment ids), wastes only the tail of each row. Each example's gradient is then
// exactly what it would be alone.
#pragma once

#include "engine/data/example_template.h"

#include <torch/torch.h>

#include <vector>

namespace ft {

struct PackedBatch {
  torch::Tensor input_ids;     // [rows, length] int64, 0 in padding
  torch::Tensor position_ids;  // [rows, length] restarting at 0 for every example
  torch::Tensor segment_ids;   // [rows, length] a different id per example, -1 in padding
  torch::Tensor targets;       // [rows, length] the next token of the same example, 0 where none
  torch::Tensor weights;       // [rows, length] float loss weight of predicting targets (0 where none)
  torch::Tensor completion;    // [rows, length] bool: the target is a completion token
  int64_t tokens = 0;          // real (non-padding) tokens
  int64_t examples = 0;
};

// Packs examples first-fit by decreasing length into rows of `max_seq_len`; an example longer
// than that is truncated to its first max_seq_len tokens. Prompt targets weigh
// `prompt_loss_weight`, completion targets 1.
PackedBatch pack_examples(const std::vector<const TokenizedExample*>& examples, int64_t max_seq_len,
                          double prompt_loss_weight);

// `rows` sequences of `seq_len` tokens drawn uniformly from [0, vocab_size), each its own row,
// every token a completion token: the stand-in batch that times or profiles a training pass.
// The same arguments give the same tokens.
PackedBatch random_packed_batch(int64_t vocab_size, int64_t rows, int64_t seq_len);

}  // namespace ft
