#include "plugin/version_text.h"

#include <finetune/finetune.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <string>

namespace ft::plugin {
namespace {

std::string devices() {
  const auto gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  if (gpus > 0) return "cuda: " + std::to_string(gpus) + " GPU" + (gpus == 1 ? "" : "s");
  const int threads = at::get_num_threads();
  return "cpu, " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

std::string build() {
  return std::string("finetune ") + FT_PLUGIN_VERSION + " (ABI " + std::to_string(FT_ABI_VERSION_MAJOR) + "." +
         std::to_string(FT_ABI_VERSION_MINOR) + "; libtorch " + TORCH_VERSION + "; " + devices() + ")";
}

}  // namespace

const char* version_text() {
  // Never NULL: if building the line fails, a shorter one without the devices is given.
  static const std::string text = [] {
    try {
      return build();
    } catch (...) {
      return std::string("finetune ") + FT_PLUGIN_VERSION;
    }
  }();
  return text.c_str();
}

}  // namespace ft::plugin
