#include "engine/formats/safetensors_writer.h"

#include "engine/core/file_io.h"
#include "engine/formats/safetensors_format.h"

#include <nlohmann/json.hpp>

namespace ft {

void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", safetensors::dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(std::move(t));
  }
  std::string header_text = header.dump();
  // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string prefix;
  for (int i = 0; i < 8; ++i) prefix.push_back(static_cast<char>((header_text.size() >> (8 * i)) & 0xff));
  prefix += header_text;
  // Streamed tensor by tensor: a large model is never copied whole into one buffer.
  write_file_atomically(path, [&](std::FILE* f) {
    if (std::fwrite(prefix.data(), 1, prefix.size(), f) != prefix.size()) return false;
    for (const auto& t : contiguous) {
      const size_t bytes = t.numel() * t.element_size();
      if (bytes && std::fwrite(t.data_ptr(), 1, bytes, f) != bytes) return false;
    }
    return true;
  });
}

}  // namespace ft
