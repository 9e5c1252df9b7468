// Writes tensors as one .safetensors file, atomically (a temporary file renamed into place).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ft {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Tensors are written in the order given, each in its own dtype (moved to the CPU and made
// contiguous first). `metadata` defaults to {"format": "pt"}, which transformers requires.
void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace ft
