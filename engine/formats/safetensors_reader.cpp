#include "engine/formats/safetensors_reader.h"

#include "engine/core/error.h"
#include "engine/formats/safetensors_format.h"
#include "engine/formats/safetensors_header.h"

#include <algorithm>
#include <fstream>

namespace ft {
namespace {

[[noreturn]] void invalid(const std::filesystem::path& path, const std::string& problem) {
  throw Error(ErrorKind::invalid_input, path.string() + ": " + problem);
}

SafetensorsEntry entry_of(const safetensors::TensorSpec& spec) {
  // parse_header accepts only the dtypes safetensors_format.cpp maps to torch types.
  return {spec.name, *safetensors::dtype_from_name(spec.dtype), spec.shape, spec.begin, spec.end};
}

}  // namespace

SafetensorsReader::SafetensorsReader(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) throw Error(ErrorKind::not_found, path_.string() + ": no such file");
  const uint64_t file_size = std::filesystem::file_size(path_, ec);
  if (ec) throw Error(ErrorKind::io, path_.string() + ": cannot read its size");
  if (file_size < 8) invalid(path_, "truncated: " + std::to_string(file_size) + " bytes, shorter than the 8-byte header length");

  std::ifstream in(path_, std::ios::binary);
  unsigned char length_bytes[8];
  if (!in.read(reinterpret_cast<char*>(length_bytes), 8)) throw Error(ErrorKind::io, path_.string() + ": read failed");
  const uint64_t header_size = safetensors::header_length(length_bytes, file_size, path_.string());
  std::string header_text(header_size, '\0');
  if (!in.read(header_text.data(), static_cast<std::streamsize>(header_size))) {
    throw Error(ErrorKind::io, path_.string() + ": read failed");
  }
  data_start_ = 8 + header_size;

  auto header = safetensors::parse_header(header_text, file_size - data_start_, path_.string());
  for (const auto& tensor : header.tensors) entries_.push_back(entry_of(tensor));
  metadata_ = std::move(header.metadata);
}

const SafetensorsEntry* SafetensorsReader::find(const std::string& name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const SafetensorsEntry& e, const std::string& n) { return e.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

torch::Tensor SafetensorsReader::read(const std::string& name) const {
  const auto* entry = find(name);
  if (!entry) throw Error(ErrorKind::not_found, path_.string() + ": no tensor named '" + name + "'");
  auto tensor = torch::empty(entry->shape, torch::TensorOptions().dtype(entry->dtype));
  const auto n = static_cast<std::streamsize>(entry->end - entry->begin);
  std::ifstream in(path_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(data_start_ + entry->begin));
  if (!in || !in.read(static_cast<char*>(tensor.data_ptr()), n)) {
    throw Error(ErrorKind::io, path_.string() + ": tensor '" + name + "' could not be read (was the file changed?)");
  }
  return tensor;
}

}  // namespace ft
