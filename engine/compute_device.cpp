#include "engine/compute_device.h"

#include "engine/core/error.h"

#include <algorithm>
#include <optional>

namespace ft {

torch::Device choose_device(const std::string& name) {
  const bool has_cuda = torch::cuda::is_available();
  if (name == "auto") return has_cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  const Error unknown(ErrorKind::invalid_argument, "device \"" + name + "\" is not one of auto, cpu, cuda, cuda:N",
                      "device");
  std::optional<torch::Device> device;
  try {
    device.emplace(name);
  } catch (const c10::Error&) {
    throw unknown;
  }
  if (!device->is_cpu() && !device->is_cuda()) throw unknown;
  const int64_t gpus = has_cuda ? static_cast<int64_t>(torch::cuda::device_count()) : 0;
  if (device->is_cuda() && std::max<int64_t>(device->index(), 0) >= gpus) {
    throw Error(ErrorKind::unsupported,
                "device \"" + name + "\" is not available (this build or machine has " + std::to_string(gpus) +
                    " CUDA devices)",
                "device");
  }
  return *device;
}

}  // namespace ft
