#include "engine/formats/safetensors_reader.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/formats/safetensors_format.h"

#include <algorithm>
#include <fstream>

namespace ft {
namespace {

[[noreturn]] void invalid(const std::filesystem::path& path, const std::string& problem) {
  throw Error(ErrorKind::invalid_input, path.string() + ": " + problem);
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// The number of bytes a tensor of this shape and dtype occupies, or nullopt on overflow.
std::optional<uint64_t> byte_count(const std::vector<int64_t>& shape, torch::ScalarType dtype) {
  uint64_t n = c10::elementSize(dtype);
  for (int64_t d : shape) {
    auto dim = static_cast<uint64_t>(d);
    if (dim != 0 && n > UINT64_MAX / dim) return std::nullopt;
    n *= dim;
  }
  return n;
}

SafetensorsEntry parse_entry(const std::filesystem::path& path, const std::string& name,
                             const nlohmann::json& spec, uint64_t data_size) {
  const std::string where = "tensor '" + name + "'";
  if (!spec.is_object()) invalid(path, where + " is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!spec.contains(key)) invalid(path, where + " has no \"" + key + "\"");
  }
  SafetensorsEntry e;
  e.name = name;
  if (!spec["dtype"].is_string()) invalid(path, where + ": \"dtype\" is not a string");
  auto dtype = safetensors::dtype_from_name(spec["dtype"].get<std::string>());
  if (!dtype) invalid(path, where + " has unknown dtype \"" + spec["dtype"].get<std::string>() + "\"");
  e.dtype = *dtype;

  const auto& shape = spec["shape"];
  if (!shape.is_array()) invalid(path, where + ": \"shape\" is not an array");
  for (const auto& d : shape) {
    if (!d.is_number_unsigned()) invalid(path, where + ": \"shape\" holds " + d.dump() + ", not a size");
    e.shape.push_back(d.get<int64_t>());
  }
  const auto& offsets = spec["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    invalid(path, where + ": \"data_offsets\" is not [begin, end]");
  }
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.begin > e.end) invalid(path, where + ": data_offsets begin after they end");
  if (e.end > data_size) {
    invalid(path, where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                      "] reach outside the data buffer of " + std::to_string(data_size) + " bytes");
  }
  auto expected = byte_count(e.shape, e.dtype);
  if (!expected || *expected != e.end - e.begin) {
    invalid(path, where + ": shape " + shape.dump() + " of " + spec["dtype"].get<std::string>() + " needs " +
                      (expected ? std::to_string(*expected) : std::string("more than 2^64")) +
                      " bytes but data_offsets hold " + std::to_string(e.end - e.begin));
  }
  return e;
}

void check_no_overlap(const std::filesystem::path& path, std::vector<SafetensorsEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i) {
    const auto& prev = entries[i - 1];
    if (entries[i].begin < prev.end) {
      invalid(path, "tensors '" + prev.name + "' and '" + entries[i].name + "' overlap in the data buffer");
    }
  }
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
  const uint64_t header_size = read_u64_le(length_bytes);
  if (header_size > safetensors::kMaxHeaderBytes) {
    invalid(path_, "header length " + std::to_string(header_size) + " exceeds the limit of " +
                       std::to_string(safetensors::kMaxHeaderBytes) + " bytes");
  }
  if (header_size > file_size - 8) {
    invalid(path_, "header length " + std::to_string(header_size) + " reaches beyond the end of the file (" +
                       std::to_string(file_size) + " bytes); the file is truncated or not safetensors");
  }
  std::string header_text(header_size, '\0');
  if (!in.read(header_text.data(), static_cast<std::streamsize>(header_size))) {
    throw Error(ErrorKind::io, path_.string() + ": read failed");
  }
  data_start_ = 8 + header_size;
  const uint64_t data_size = file_size - data_start_;

  auto header = parse_json(header_text, path_.string() + " (header)", {safetensors::kMaxHeaderBytes, 8});
  if (!header.is_object()) invalid(path_, "header is not a JSON object");
  for (const auto& [name, spec] : header.items()) {
    if (name == "__metadata__") {
      if (!spec.is_object()) invalid(path_, "\"__metadata__\" is not an object");
      for (const auto& [k, v] : spec.items()) {
        if (!v.is_string()) invalid(path_, "\"__metadata__\" value for \"" + k + "\" is not a string");
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    entries_.push_back(parse_entry(path_, name, spec, data_size));
  }
  check_no_overlap(path_, entries_);
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
