#include "engine/distributed/distributed_world.h"

#include "engine/core/error.h"

#include <cerrno>
#include <cstdlib>

namespace ft {
namespace {

[[noreturn]] void reject(const std::string& name, const std::string& why, const std::string& param = {}) {
  throw Error(ErrorKind::invalid_argument, name + " " + why, param);
}

int integer_text(const std::string& name, const char* text, long low, long high) {
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < low || value > high) {
    reject(name, "must be an integer from " + std::to_string(low) + " to " + std::to_string(high) + ", found \"" +
                     std::string(text).substr(0, 40) + "\"");
  }
  return static_cast<int>(value);
}

// Every rank must lie inside the world, and world_size 1 is allowed (one process, no group).
void check_ranks(const DistributedWorld& w, const std::string& rank_name, const std::string& param) {
  if (w.rank >= w.world_size) {
    reject(rank_name, std::to_string(w.rank) + " is not below the world size " + std::to_string(w.world_size), param);
  }
}

constexpr long kMaxWorld = 1 << 16;

}  // namespace

std::optional<DistributedWorld> world_from_environment(const std::function<const char*(const char*)>& lookup) {
  const char* world_size = lookup("WORLD_SIZE");
  if (!world_size) return std::nullopt;
  DistributedWorld w;
  w.world_size = integer_text("WORLD_SIZE", world_size, 1, kMaxWorld);
  const char* rank = lookup("RANK");
  if (!rank) reject("RANK", "is not set, but WORLD_SIZE is (" + std::string(world_size) + ")");
  w.rank = integer_text("RANK", rank, 0, kMaxWorld - 1);
  check_ranks(w, "RANK", "");
  if (const char* local = lookup("LOCAL_RANK")) w.local_rank = integer_text("LOCAL_RANK", local, 0, kMaxWorld - 1);
  if (w.world_size > 1) {
    const char* addr = lookup("MASTER_ADDR");
    if (!addr || !*addr) reject("MASTER_ADDR", "is not set: the address where rank 0 serves the rendezvous");
    w.master_addr = addr;
  }
  if (const char* port = lookup("MASTER_PORT")) w.master_port = integer_text("MASTER_PORT", port, 1, 65535);
  return w;
}

DistributedWorld world_from_json(const nlohmann::json& object) {
  if (!object.is_object()) reject("\"distributed\"", "must be an object", "distributed");
  const auto integer = [&](const std::string& key, long low, long high, int fallback) {
    if (!object.contains(key)) return fallback;
    const auto& v = object[key];
    const std::string param = "distributed." + key;
    if (!v.is_number_integer() || v.get<int64_t>() < low || v.get<int64_t>() > high) {
      reject(param, "must be an integer from " + std::to_string(low) + " to " + std::to_string(high), param);
    }
    return static_cast<int>(v.get<int64_t>());
  };
  for (const auto& [key, value] : object.items()) {
    if (key != "rank" && key != "world_size" && key != "local_rank" && key != "master_addr" && key != "master_port" &&
        key != "timeout_seconds") {
      reject("distributed." + key.substr(0, 40),
             "is not a field of \"distributed\" (known: rank, world_size, local_rank, master_addr, master_port, "
             "timeout_seconds)",
             "distributed");
    }
  }
  if (!object.contains("rank") || !object.contains("world_size")) {
    reject("\"distributed\"", "needs \"rank\" and \"world_size\"", "distributed");
  }
  DistributedWorld w;
  w.world_size = integer("world_size", 1, kMaxWorld, 1);
  w.rank = integer("rank", 0, kMaxWorld - 1, 0);
  check_ranks(w, "distributed.rank", "distributed.rank");
  w.local_rank = integer("local_rank", 0, kMaxWorld - 1, 0);
  w.master_port = integer("master_port", 1, 65535, w.master_port);
  w.timeout = std::chrono::seconds(integer("timeout_seconds", 1, 86400, static_cast<int>(w.timeout.count())));
  if (object.contains("master_addr")) {
    const auto& addr = object["master_addr"];
    if (!addr.is_string() || addr.get<std::string>().empty() || addr.get<std::string>().size() > 255) {
      reject("distributed.master_addr", "must be a host name or address", "distributed.master_addr");
    }
    w.master_addr = addr.get<std::string>();
  }
  return w;
}

}  // namespace ft
