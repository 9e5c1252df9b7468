// The keys and values a decoder has computed for the tokens it has already seen, so that
// generating the next token runs the model on that token alone instead of the whole text.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace ft {

// One attention layer's keys and values, [batch, kv_heads, cached tokens, head_dim]: rotated
// already (rotary models), before grouped-query heads are repeated.
struct LayerKeyValues {
  torch::Tensor keys, values;

  // The cached keys and values followed by `new_keys` and `new_values`, which are kept too.
  std::pair<torch::Tensor, torch::Tensor> extend(const torch::Tensor& new_keys, const torch::Tensor& new_values);
};

class KeyValueCache {
 public:
  // How many tokens the cache holds: the position of the next token fed to the model.
  int64_t length() const;
  // Layer `index`'s slot, made on first use.
  LayerKeyValues& layer(size_t index);
  void clear() { layers_.clear(); }

 private:
  std::vector<LayerKeyValues> layers_;
};

}  // namespace ft
