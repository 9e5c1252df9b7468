// The collective backends of libtorch's c10d that a world trains over: Gloo for ranks on the
// CPU, NCCL for ranks on CUDA devices. They live in their own translation unit because their
// headers need the collective libraries' own headers (gloo's from Debian's libgloo-dev, NCCL's
// with CUDA); everything they run is inside libtorch.
#pragma once

#include "engine/distributed/distributed_world.h"

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/torch.h>

#include <string>

namespace ft {

// "gloo" for the CPU, "nccl" for CUDA.
std::string backend_name(const torch::Device& device);

// The backend of `world` for ranks on `device`, meeting through `store`. Throws
// ft::Error(unsupported) when this build lacks it (naming what to install).
c10::intrusive_ptr<c10d::Backend> make_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                               const DistributedWorld& world, const torch::Device& device);

}  // namespace ft
