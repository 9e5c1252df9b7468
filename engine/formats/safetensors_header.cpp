#include "engine/formats/safetensors_header.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"

#include <algorithm>
#include <array>
#include <utility>

namespace ft::safetensors {
namespace {

// The dtypes of safetensors_format.cpp's table (a test checks that the two agree).
const std::array<std::pair<const char*, uint64_t>, 10> kElementSizes = {{
    {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
    {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1},
}};

// Header nesting: the header object, a tensor, its shape.
constexpr int kMaxHeaderDepth = 8;

[[noreturn]] void invalid(const std::string& origin, const std::string& problem) {
  throw Error(ErrorKind::invalid_input, origin + ": " + problem);
}

// The number of bytes a tensor of this shape occupies, or nullopt on overflow.
std::optional<uint64_t> byte_count(const std::vector<int64_t>& shape, uint64_t element_bytes) {
  uint64_t n = element_bytes;
  for (int64_t d : shape) {
    const auto dim = static_cast<uint64_t>(d);
    if (dim != 0 && n > UINT64_MAX / dim) return std::nullopt;
    n *= dim;
  }
  return n;
}

TensorSpec parse_tensor(const std::string& origin, const std::string& name, const nlohmann::json& spec,
                        uint64_t data_size) {
  const std::string where = "tensor " + quoted_excerpt(name);
  if (!spec.is_object()) invalid(origin, where + " is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!spec.contains(key)) invalid(origin, where + " has no \"" + key + "\"");
  }
  TensorSpec t;
  t.name = name;
  if (!spec["dtype"].is_string()) invalid(origin, where + ": \"dtype\" is not a string");
  t.dtype = spec["dtype"].get<std::string>();
  const auto element_bytes = element_size(t.dtype);
  if (!element_bytes) invalid(origin, where + " has unknown dtype " + quoted_excerpt(t.dtype));

  const auto& shape = spec["shape"];
  if (!shape.is_array()) invalid(origin, where + ": \"shape\" is not an array");
  for (const auto& d : shape) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      invalid(origin, where + ": \"shape\" holds " + utf8_prefix(d.dump(), 40) + ", not a size");
    }
    t.shape.push_back(d.get<int64_t>());
  }
  const auto& offsets = spec["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    invalid(origin, where + ": \"data_offsets\" is not [begin, end]");
  }
  t.begin = offsets[0].get<uint64_t>();
  t.end = offsets[1].get<uint64_t>();
  if (t.begin > t.end) invalid(origin, where + ": data_offsets begin after they end");
  if (t.end > data_size) {
    invalid(origin, where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                        "] reach outside the data buffer of " + std::to_string(data_size) + " bytes");
  }
  const auto expected = byte_count(t.shape, *element_bytes);
  if (!expected || *expected != t.end - t.begin) {
    invalid(origin, where + ": shape " + utf8_prefix(shape.dump(), 80) + " of " + t.dtype + " needs " +
                        (expected ? std::to_string(*expected) : std::string("more than 2^64")) +
                        " bytes but data_offsets hold " + std::to_string(t.end - t.begin));
  }
  return t;
}

void check_no_overlap(const std::string& origin, std::vector<TensorSpec> tensors) {
  std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < tensors.size(); ++i) {
    const auto& prev = tensors[i - 1];
    if (tensors[i].begin < prev.end) {
      invalid(origin, "tensors " + quoted_excerpt(prev.name) + " and " + quoted_excerpt(tensors[i].name) +
                          " overlap in the data buffer");
    }
  }
}

}  // namespace

std::optional<uint64_t> element_size(const std::string& dtype) {
  for (const auto& [name, bytes] : kElementSizes) {
    if (dtype == name) return bytes;
  }
  return std::nullopt;
}

uint64_t header_length(const unsigned char* first_8_bytes, uint64_t file_size, const std::string& origin) {
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | first_8_bytes[i];
  if (length > kMaxHeaderBytes) {
    invalid(origin, "header length " + std::to_string(length) + " exceeds the limit of " +
                        std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (length > file_size - 8) {
    invalid(origin, "header length " + std::to_string(length) + " reaches beyond the end of the file (" +
                        std::to_string(file_size) + " bytes); the file is truncated or not safetensors");
  }
  return length;
}

Header parse_header(const std::string& text, uint64_t data_size, const std::string& origin) {
  const auto document = parse_json(text, origin + " (header)", {kMaxHeaderBytes, kMaxHeaderDepth});
  if (!document.is_object()) invalid(origin, "header is not a JSON object");
  Header header;
  for (const auto& [name, spec] : document.items()) {  // a JSON object iterates sorted by name
    if (name == "__metadata__") {
      if (!spec.is_object()) invalid(origin, "\"__metadata__\" is not an object");
      for (const auto& [key, value] : spec.items()) {
        if (!value.is_string()) invalid(origin, "\"__metadata__\" value for " + quoted_excerpt(key) + " is not a string");
        header.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    header.tensors.push_back(parse_tensor(origin, name, spec, data_size));
  }
  check_no_overlap(origin, header.tensors);
  return header;
}

}  // namespace ft::safetensors
