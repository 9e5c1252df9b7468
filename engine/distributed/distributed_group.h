// The processes of one data-parallel world, joined through libtorch's c10d: a TCPStore
// rendezvous served by rank 0 and a collective backend (c10d_backends.h). It all-reduces and
// broadcasts tensors and exchanges short texts (job ids, plans) between the ranks.
//
// A rank that dies or fails breaks the group: the collective the others are in fails (at once
// when its process ended and its sockets closed, after the world's timeout when it hangs), and
// every rank then throws ft::Error(io) naming the rank at fault, found from the failures ranks
// report and the heartbeats each rank sends to the store. A broken group stays broken: later
// calls throw the same error, and the ranks open the plugin again to train again.
#pragma once

#include "engine/distributed/distributed_world.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ft {

class DistributedGroup {
 public:
  // Joins the world: rank 0 serves the rendezvous; every rank waits up to world.timeout for the
  // others. Throws ft::Error(io) when the rendezvous cannot be served or reached in time.
  static std::shared_ptr<DistributedGroup> join(const DistributedWorld& world, const torch::Device& device);
  ~DistributedGroup();
  DistributedGroup(const DistributedGroup&) = delete;
  DistributedGroup& operator=(const DistributedGroup&) = delete;

  int rank() const;
  int size() const;
  const DistributedWorld& world() const;
  const std::string& backend_name() const;

  // Each tensor summed over the ranks, in place on every rank; tensors on the group's device.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);
  // Rank 0's values into every rank's tensors, in place.
  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors);
  // Every rank's `text`, by rank. Every rank calls it for `round` (a name such as
  // "create" or "<job id>/plan") as often and in the same order; different rounds may run on
  // different threads. Waits while the other ranks are alive, up to the world's timeout.
  std::vector<std::string> exchange_texts(const std::string& round, const std::string& text);
  // This rank failed with `message`: the others are told (they name it in their error) and the
  // group breaks, so that none of them waits for this rank any longer. Never throws.
  void report_failure(const std::string& message) noexcept;

 private:
  struct State;
  explicit DistributedGroup(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ft
