#include "engine/training/mixed_precision.h"

#include "engine/core/error.h"

#include <ATen/autocast_mode.h>

#include <fstream>
#include <sstream>

namespace ft {

const char* to_string(Precision precision) { return precision == Precision::bf16 ? "bf16" : "fp32"; }

Precision parse_precision(const std::string& name, const std::string& param) {
  if (name == "fp32") return Precision::fp32;
  if (name == "bf16") return Precision::bf16;
  throw Error(ErrorKind::invalid_argument, param + " must be \"auto\", \"bf16\" or \"fp32\", found \"" + name + "\"", param);
}

bool has_native_bf16(const torch::Device& device) {
  if (device.is_cuda()) return true;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line.substr(line.find(':') + 1));
    for (std::string flag; flags >> flag;) {
      if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
    }
    return false;  // every core lists the same flags
  }
  return false;
}

AutocastScope::AutocastScope(const torch::Device& device, Precision precision)
    : device_type_(device.type()), cast_cache_(precision) {
  if (precision != Precision::bf16) return;
  active_ = true;
  was_enabled_ = at::autocast::is_autocast_enabled(device_type_);
  previous_dtype_ = at::autocast::get_autocast_dtype(device_type_);
  at::autocast::set_autocast_enabled(device_type_, true);
  at::autocast::set_autocast_dtype(device_type_, at::kBFloat16);
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  at::autocast::set_autocast_enabled(device_type_, was_enabled_);
  at::autocast::set_autocast_dtype(device_type_, previous_dtype_);
}

AutocastCastCache::AutocastCastCache(Precision precision) : active_(precision == Precision::bf16) {
  // Autocast drops its cache when its nesting count returns to zero.
  if (active_) at::autocast::increment_nesting();
}

AutocastCastCache::~AutocastCastCache() {
  if (active_ && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

}  // namespace ft
