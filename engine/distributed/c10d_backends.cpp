#include "engine/distributed/c10d_backends.h"

#include "engine/core/error.h"
#include "engine/core/string_affixes.h"

#ifdef FT_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef FT_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>

namespace ft {
namespace {

#ifdef FT_WITH_GLOO
// Gloo's transport binds to one address of this machine: the interface GLOO_SOCKET_IFNAME
// names (as PyTorch does), loopback when every rank is on this machine, else the address this
// machine's host name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedWorld& world) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  const bool loopback = world.master_addr == "localhost" || starts_with(world.master_addr, "127.");
  if (loopback) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

}  // namespace

std::string backend_name(const torch::Device& device) { return device.is_cuda() ? "nccl" : "gloo"; }

c10::intrusive_ptr<c10d::Backend> make_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                               const DistributedWorld& world, const torch::Device& device) {
  if (device.is_cuda()) {
#ifdef FT_WITH_NCCL
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = world.timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, world.rank, world.world_size, options);
#else
    throw Error(ErrorKind::unsupported,
                "distributed training on CUDA needs NCCL, and this build has none (build against a CUDA PyTorch with "
                "nccl.h on the include path)",
                "distributed");
#endif
  }
#ifdef FT_WITH_GLOO
  auto options = c10d::ProcessGroupGloo::Options::create(world.timeout);
  options->devices.push_back(gloo_device(world));
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, world.rank, world.world_size, options);
#else
  throw Error(ErrorKind::unsupported,
              "distributed training on the CPU needs Gloo's headers, and this build has none (install libgloo-dev, "
              "scripts/install-deps.sh does, and rebuild)",
              "distributed");
#endif
}

}  // namespace ft
