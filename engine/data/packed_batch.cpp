#include "engine/data/packed_batch.h"

#include "engine/data/row_packing.h"

#include <algorithm>
#include <random>

namespace ft {

PackedBatch pack_examples(const std::vector<const TokenizedExample*>& examples, int64_t max_seq_len,
                          double prompt_loss_weight) {
  std::vector<int64_t> lengths;
  for (const auto* e : examples) lengths.push_back(std::min<int64_t>(static_cast<int64_t>(e->tokens.size()), max_seq_len));
  const auto rows = assign_rows(lengths, max_seq_len);
  const int64_t width = packed_width(rows, lengths);
  const auto n_rows = static_cast<int64_t>(rows.size());
  auto ids = torch::zeros({n_rows, width}, torch::kLong), positions = torch::zeros({n_rows, width}, torch::kLong);
  auto segments = torch::full({n_rows, width}, -1, torch::kLong), targets = torch::zeros({n_rows, width}, torch::kLong);
  auto weights = torch::zeros({n_rows, width}, torch::kFloat), completion = torch::zeros({n_rows, width}, torch::kBool);
  auto ids_a = ids.accessor<int64_t, 2>(), pos_a = positions.accessor<int64_t, 2>();
  auto seg_a = segments.accessor<int64_t, 2>(), tgt_a = targets.accessor<int64_t, 2>();
  auto w_a = weights.accessor<float, 2>();
  auto c_a = completion.accessor<bool, 2>();
  PackedBatch batch;
  for (int64_t r = 0; r < n_rows; ++r) {
    int64_t at = 0;
    for (size_t i : rows[r]) {
      const auto& e = *examples[i];
      for (int64_t t = 0; t < lengths[i]; ++t, ++at) {
        ids_a[r][at] = e.tokens[t];
        pos_a[r][at] = t;
        seg_a[r][at] = static_cast<int64_t>(i);
        if (t + 1 < lengths[i]) {  // the last token of an example predicts nothing
          tgt_a[r][at] = e.tokens[t + 1];
          c_a[r][at] = e.completion[t + 1] != 0;
          w_a[r][at] = c_a[r][at] ? 1.0f : static_cast<float>(prompt_loss_weight);
        }
      }
      batch.tokens += lengths[i];
    }
  }
  batch.input_ids = ids;
  batch.position_ids = positions;
  batch.segment_ids = segments;
  batch.targets = targets;
  batch.weights = weights;
  batch.completion = completion;
  batch.examples = static_cast<int64_t>(examples.size());
  return batch;
}

PackedBatch random_packed_batch(int64_t vocab_size, int64_t rows, int64_t seq_len) {
  std::mt19937_64 random(static_cast<uint64_t>(rows * 7919 + seq_len));
  std::vector<TokenizedExample> examples(static_cast<size_t>(rows));
  for (auto& e : examples) {
    for (int64_t i = 0; i < seq_len; ++i) e.tokens.push_back(static_cast<int64_t>(random() % static_cast<uint64_t>(vocab_size)));
    e.completion.assign(e.tokens.size(), 1);
  }
  std::vector<const TokenizedExample*> pointers;
  for (const auto& e : examples) pointers.push_back(&e);
  return pack_examples(pointers, seq_len, 1.0);
}

}  // namespace ft
