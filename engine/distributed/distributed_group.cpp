#include "engine/distributed/distributed_group.h"

#include "engine/core/error.h"
#include "engine/distributed/c10d_backends.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace ft {
namespace {

using namespace std::chrono_literals;

// Each rank bumps its heartbeat counter in the store this often; a rank whose counter stood
// still for kSilence is taken to be dead (or hung).
constexpr auto kHeartbeat = 1s;
constexpr auto kSilence = 3 * kHeartbeat;
// How long a rank waiting for a text checks on the others' heartbeats.
constexpr auto kTextPoll = 10s;
// How long rank 0, which serves the store, waits at close for the others to finish with it.
constexpr auto kCloseGrace = 10s;

std::vector<uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }
std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::string rank_key(const std::string& what, int rank) { return "ft/" + what + "/" + std::to_string(rank); }

// `counted`: this connection is its rank's one in the rendezvous, which waits until every rank
// has connected (a rank's second connection, for its heartbeats, is not counted).
c10::intrusive_ptr<c10d::TCPStore> connect_store(const DistributedWorld& w, bool server, bool counted) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(w.master_port);
  options.isServer = server;
  options.numWorkers = static_cast<std::size_t>(w.world_size);
  options.waitWorkers = counted;
  options.timeout = w.timeout;
  return c10::make_intrusive<c10d::TCPStore>(w.master_addr, options);
}

}  // namespace

struct DistributedGroup::State {
  DistributedWorld world;
  std::string backend_name;
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  // The error every later call throws, once set. The trainer's thread and a host's thread (an
  // exchange of job ids) both read and set it, hence the lock.
  std::mutex broken_mutex;
  std::optional<std::string> broken_message;

  std::optional<std::string> broken() {
    std::lock_guard<std::mutex> lock(broken_mutex);
    return broken_message;
  }
  // Sets the message unless one is set already; true when this call set it.
  bool set_broken(std::string message) {
    std::lock_guard<std::mutex> lock(broken_mutex);
    if (broken_message) return false;
    broken_message = std::move(message);
    return true;
  }
  void throw_if_broken() {
    if (const auto message = broken()) throw Error(ErrorKind::io, *message, "distributed");
  }
  std::mutex rounds_mutex;
  std::map<std::string, uint64_t> rounds;  // how often each round was exchanged

  std::mutex mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::thread heartbeat;

  std::string who(int rank) const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(world.world_size);
  }

  void beat(c10::intrusive_ptr<c10d::TCPStore> client) {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      try {
        client->add(rank_key("heartbeat", world.rank), 1);
      } catch (const std::exception&) {
        return;  // the store went with rank 0; the next collective says so
      }
      stop_signal.wait_for(lock, kHeartbeat, [&] { return stopping; });
    }
  }

  std::vector<int64_t> heartbeats() {
    std::vector<int64_t> counts;
    for (int r = 0; r < world.world_size; ++r) counts.push_back(store->add(rank_key("heartbeat", r), 0));
    return counts;
  }

  // The rank whose failure broke a collective, and how it failed: a failure it reported, or a
  // heartbeat that stopped; rank 0 when the store it serves cannot be reached.
  std::string culprit() {
    try {
      for (int r = 0; r < world.world_size; ++r) {
        if (r != world.rank && store->check({rank_key("failed", r)})) {
          return who(r) + " failed: " + text(store->get(rank_key("failed", r)));
        }
      }
      const auto before = heartbeats();
      std::this_thread::sleep_for(kSilence);
      const auto after = heartbeats();
      for (int r = 0; r < world.world_size; ++r) {
        if (r != world.rank && after[r] == before[r]) {
          return who(r) + " stopped: no heartbeat from it for " + std::to_string(kSilence.count()) +
                 " s (its process ended, or it hangs)";
        }
      }
    } catch (const std::exception&) {
      return who(0) + " is gone: the rendezvous it serves at " + world.master_addr + ":" +
             std::to_string(world.master_port) + " no longer answers";
    }
    return "another rank broke off";
  }

  [[noreturn]] void break_group(const std::string& during, const std::string& detail) {
    if (!broken() && set_broken("distributed training, " + who(world.rank) + ": " + culprit() + " (during " + during +
                                ": " + detail.substr(0, 300) + ")")) {
      backend.reset();  // closes this rank's connections, so that no other rank waits on it
    }
    throw Error(ErrorKind::io, *broken(), "distributed");
  }

  template <typename F>
  void collective(const std::string& what, F&& run) {
    throw_if_broken();
    try {
      run();
    } catch (const std::exception& e) {
      break_group(what, e.what());
    }
  }

  // Waits for `key` while no other rank failed or went silent, up to the world's timeout.
  std::string wait_for(const std::string& key) {
    const auto deadline = std::chrono::steady_clock::now() + world.timeout;
    while (true) {
      try {
        store->wait({key}, kTextPoll);
        return text(store->get(key));
      } catch (const std::exception& e) {
        if (std::chrono::steady_clock::now() > deadline) break_group("an exchange of texts", e.what());
        for (int r = 0; r < world.world_size; ++r) {
          if (r != world.rank && failed_or_break(r, e.what())) break_group("an exchange of texts", e.what());
        }
        const auto before = heartbeats_or_break(e.what());
        std::this_thread::sleep_for(kSilence);
        const auto after = heartbeats_or_break(e.what());
        for (int r = 0; r < world.world_size; ++r) {
          if (r != world.rank && after[r] == before[r]) break_group("an exchange of texts", e.what());
        }
      }
    }
  }

  bool failed_or_break(int rank, const std::string& detail) {
    try {
      return store->check({rank_key("failed", rank)});
    } catch (const std::exception&) {
      break_group("an exchange of texts", detail);
    }
  }

  std::vector<int64_t> heartbeats_or_break(const std::string& detail) {
    try {
      return heartbeats();
    } catch (const std::exception&) {
      break_group("an exchange of texts", detail);
    }
  }

  void stop_heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (heartbeat.joinable()) heartbeat.join();
  }

  // Rank 0 serves the store: it stays up until the other ranks said they are done with it.
  void close() noexcept {
    stop_heartbeat();
    try {
      if (world.rank != 0) return store->set(rank_key("closed", world.rank), bytes("1"));
      const auto deadline = std::chrono::steady_clock::now() + kCloseGrace;
      for (int r = 1; r < world.world_size; ++r) {
        while (!store->check({rank_key("closed", r)}) && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(50ms);
        }
      }
    } catch (const std::exception&) {
      // The store is gone already: nothing to wait for.
    }
  }
};

std::shared_ptr<DistributedGroup> DistributedGroup::join(const DistributedWorld& world, const torch::Device& device) {
  auto state = std::make_unique<State>();
  state->world = world;
  state->backend_name = ft::backend_name(device);
  const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
  c10::intrusive_ptr<c10d::TCPStore> heartbeat_client;
  try {
    state->store = connect_store(world, world.rank == 0, true);
    heartbeat_client = connect_store(world, false, false);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::io,
                state->who(world.rank) + " could not " + (world.rank == 0 ? "serve" : "reach") + " the rendezvous at " +
                    where + " within " + std::to_string(world.timeout.count()) + " s: " +
                    std::string(e.what()).substr(0, 300),
                "distributed");
  }
  state->heartbeat = std::thread([s = state.get(), heartbeat_client] { s->beat(heartbeat_client); });
  try {
    auto backend_store = c10::make_intrusive<c10d::PrefixStore>("ft-backend", state->store);
    state->backend = make_backend(backend_store, world, device);
  } catch (const Error&) {
    state->close();
    throw;
  } catch (const std::exception& e) {
    state->close();
    throw Error(ErrorKind::io,
                state->who(world.rank) + ": the " + state->backend_name + " process group did not form: " +
                    std::string(e.what()).substr(0, 300),
                "distributed");
  }
  return std::shared_ptr<DistributedGroup>(new DistributedGroup(std::move(state)));
}

DistributedGroup::DistributedGroup(std::unique_ptr<State> state) : state_(std::move(state)) {}

DistributedGroup::~DistributedGroup() {
  state_->close();
  state_->backend.reset();
}

int DistributedGroup::rank() const { return state_->world.rank; }
int DistributedGroup::size() const { return state_->world.world_size; }
const DistributedWorld& DistributedGroup::world() const { return state_->world; }
const std::string& DistributedGroup::backend_name() const { return state_->backend_name; }

// One collective per tensor (a c10d call over several tensors would reduce across them, as if
// each were on a device of its own), all in flight before the first is waited for.
void DistributedGroup::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  state_->collective("an all-reduce", [&] {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& tensor : tensors) {
      std::vector<torch::Tensor> one{tensor};
      works.push_back(state_->backend->allreduce(one));
    }
    for (auto& work : works) work->wait();
  });
}

void DistributedGroup::broadcast_from_rank0(std::vector<torch::Tensor>& tensors) {
  state_->collective("a broadcast", [&] {
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& tensor : tensors) {
      std::vector<torch::Tensor> one{tensor};
      works.push_back(state_->backend->broadcast(one, options));
    }
    for (auto& work : works) work->wait();
  });
}

std::vector<std::string> DistributedGroup::exchange_texts(const std::string& name, const std::string& text) {
  state_->throw_if_broken();
  std::string round;
  {
    std::lock_guard<std::mutex> lock(state_->rounds_mutex);
    round = "text/" + name + "#" + std::to_string(state_->rounds[name]++);
  }
  std::vector<std::string> texts;
  try {
    state_->store->set(rank_key(round, rank()), bytes(text));
  } catch (const std::exception& e) {
    state_->break_group("an exchange of texts", e.what());
  }
  for (int r = 0; r < size(); ++r) texts.push_back(state_->wait_for(rank_key(round, r)));
  return texts;
}

void DistributedGroup::report_failure(const std::string& message) noexcept {
  try {
    if (!state_->broken()) state_->store->set(rank_key("failed", rank()), bytes(message.substr(0, 1000)));
  } catch (const std::exception&) {
    // The store is gone (rank 0 died): the others find that out themselves.
  }
  state_->set_broken("distributed training, " + state_->who(rank()) + " failed: " + message);
  state_->backend.reset();
}

}  // namespace ft
