// The JSON header of a .safetensors file (safetensors_format.h gives the layout), parsed and
// checked against the data buffer it indexes: known dtypes, shapes whose byte counts match the
// offsets, offsets inside the buffer, no two tensors overlapping. No libtorch, so that it is
// fuzzed and tested alone (tests/fuzz); SafetensorsReader turns it into torch types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ft::safetensors {

// The header may not be larger than this (the reference implementation's own limit).
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

struct TensorSpec {
  std::string name;
  std::string dtype;           // a name element_size knows: "F32", "BF16", ...
  std::vector<int64_t> shape;  // each dimension at most INT64_MAX
  uint64_t begin = 0;          // byte offsets into the data buffer, end exclusive
  uint64_t end = 0;
};

struct Header {
  std::vector<TensorSpec> tensors;  // sorted by name
  std::map<std::string, std::string> metadata;
};

// Bytes per element of a dtype the engine reads; nullopt for any other (F8_*, U16, ...).
std::optional<uint64_t> element_size(const std::string& dtype);

// The header length that a file's first 8 bytes give (little-endian), checked against
// kMaxHeaderBytes and a file of `file_size` bytes (at least 8). Throws ft::Error(invalid_input).
uint64_t header_length(const unsigned char* first_8_bytes, uint64_t file_size, const std::string& origin);

// Parses the header's JSON `text` for a data buffer of `data_size` bytes. Throws
// ft::Error(invalid_input) whose message starts with `origin` (the file) and names the tensor.
Header parse_header(const std::string& text, uint64_t data_size, const std::string& origin);

}  // namespace ft::safetensors
