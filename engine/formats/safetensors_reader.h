// Reads one .safetensors file. Opening validates the whole header against the file (sizes,
// offsets, dtypes, byte counts, overlaps) before any tensor is read, so a later read cannot go
// outside the file; tensors are then streamed from disk one at a time, each into its own buffer.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ft {

struct SafetensorsEntry {
  std::string name;
  torch::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets into the data buffer, end exclusive
  uint64_t end = 0;
};

class SafetensorsReader {
 public:
  // Throws ft::Error naming `path` and the problem: not_found, io, or invalid_input.
  explicit SafetensorsReader(std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }
  // Every tensor of the file, sorted by name.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // nullptr when the file holds no tensor of that name.
  const SafetensorsEntry* find(const std::string& name) const;

  // A new CPU tensor in the stored dtype. Throws ft::Error(not_found) for an unknown name and
  // ft::Error(io) if the file changed under us.
  torch::Tensor read(const std::string& name) const;

 private:
  std::filesystem::path path_;
  uint64_t data_start_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace ft
