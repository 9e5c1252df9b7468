// Many tensors moved between ranks by a few large collectives rather than one per tensor:
// consecutive tensors of one dtype are flattened into buckets of at most 25 MiB (the bucket
// size of PyTorch's DistributedDataParallel), all buckets are in flight at once, and the
// results are copied back into the tensors.
#pragma once

#include "engine/distributed/distributed_group.h"

#include <torch/torch.h>

#include <vector>

namespace ft {

// Each tensor summed over the ranks, in place.
void all_reduce_in_buckets(DistributedGroup& group, const std::vector<torch::Tensor>& tensors);
// Each tensor replaced by rank 0's, in place.
void broadcast_in_buckets(DistributedGroup& group, const std::vector<torch::Tensor>& tensors);

}  // namespace ft
