// Where this process stands in a data-parallel job: its rank among world_size processes, the
// GPU it owns on its machine (local_rank), and the rendezvous every rank meets at (rank 0
// serves it at master_addr:master_port). Given as torchrun, Slurm wrappers and Kubernetes
// operators give it, in the environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), or by the host in ft_open's "distributed" option with the same fields.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace ft {

struct DistributedWorld {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // How long a rank waits for the others (the rendezvous, one collective) before it gives up.
  std::chrono::seconds timeout{600};
};

// The world the environment describes, or nullopt when WORLD_SIZE is not set. `lookup` returns
// a variable's value or nullptr (getenv). Throws ft::Error(invalid_argument) naming the variable
// for a value that is not a number in range, or when RANK or MASTER_ADDR is missing.
std::optional<DistributedWorld> world_from_environment(const std::function<const char*(const char*)>& lookup);

// ft_open's "distributed" object: {"rank", "world_size", "local_rank", "master_addr",
// "master_port", "timeout_seconds"}; rank and world_size are required. Throws
// ft::Error(invalid_argument) naming "distributed.<field>".
DistributedWorld world_from_json(const nlohmann::json& object);

}  // namespace ft
