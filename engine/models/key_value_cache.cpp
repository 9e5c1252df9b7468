#include "engine/models/key_value_cache.h"

namespace ft {

std::pair<torch::Tensor, torch::Tensor> LayerKeyValues::extend(const torch::Tensor& new_keys,
                                                              const torch::Tensor& new_values) {
  keys = keys.defined() ? torch::cat({keys, new_keys}, -2) : new_keys;
  values = values.defined() ? torch::cat({values, new_values}, -2) : new_values;
  return {keys, values};
}

int64_t KeyValueCache::length() const {
  return layers_.empty() || !layers_.front().keys.defined() ? 0 : layers_.front().keys.size(-2);
}

LayerKeyValues& KeyValueCache::layer(size_t index) {
  if (index >= layers_.size()) layers_.resize(index + 1);
  return layers_[index];
}

}  // namespace ft
