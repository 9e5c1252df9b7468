#include "engine/distributed/tensor_buckets.h"

#include <functional>

namespace ft {
namespace {

constexpr int64_t kBucketBytes = 25 << 20;

// Index ranges [begin, end) of `tensors` that share a dtype and fit in one bucket (a tensor
// larger than a bucket is a bucket of its own).
std::vector<std::pair<size_t, size_t>> bucket_ranges(const std::vector<torch::Tensor>& tensors) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t begin = 0;
  int64_t bytes = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int64_t size = tensors[i].numel() * static_cast<int64_t>(tensors[i].element_size());
    const bool other_dtype = i > begin && tensors[i].scalar_type() != tensors[begin].scalar_type();
    if (i > begin && (other_dtype || bytes + size > kBucketBytes)) {
      ranges.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (begin < tensors.size()) ranges.emplace_back(begin, tensors.size());
  return ranges;
}

void in_buckets(const std::vector<torch::Tensor>& tensors,
                const std::function<void(std::vector<torch::Tensor>&)>& collective) {
  torch::NoGradGuard no_grad;
  const auto ranges = bucket_ranges(tensors);
  std::vector<torch::Tensor> buckets;
  for (const auto& [begin, end] : ranges) {
    std::vector<torch::Tensor> flat;
    for (size_t i = begin; i < end; ++i) flat.push_back(tensors[i].reshape({-1}));
    buckets.push_back(torch::cat(flat));
  }
  collective(buckets);
  for (size_t b = 0; b < ranges.size(); ++b) {
    int64_t offset = 0;
    for (size_t i = ranges[b].first; i < ranges[b].second; ++i) {
      const auto& tensor = tensors[i];
      tensor.copy_(buckets[b].narrow(0, offset, tensor.numel()).view(tensor.sizes()));
      offset += tensor.numel();
    }
  }
}

}  // namespace

void all_reduce_in_buckets(DistributedGroup& group, const std::vector<torch::Tensor>& tensors) {
  in_buckets(tensors, [&](std::vector<torch::Tensor>& buckets) { group.all_reduce_sum(buckets); });
}

void broadcast_in_buckets(DistributedGroup& group, const std::vector<torch::Tensor>& tensors) {
  in_buckets(tensors, [&](std::vector<torch::Tensor>& buckets) { group.broadcast_from_rank0(buckets); });
}

}  // namespace ft
