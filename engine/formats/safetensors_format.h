// The safetensors file format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}},
// optionally "__metadata__" (string to string), then the data buffer the offsets index into.
// safetensors_header.h parses the header; this file maps its dtypes to torch types.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>

namespace ft::safetensors {

// "F32" -> kFloat and so on; nullopt for a dtype the engine does not read (F8_*, U16...).
std::optional<torch::ScalarType> dtype_from_name(const std::string& name);
// The inverse; throws ft::Error(unsupported) for a scalar type safetensors cannot hold.
std::string dtype_name(torch::ScalarType type);

}  // namespace ft::safetensors
