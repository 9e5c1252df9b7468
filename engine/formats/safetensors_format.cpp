#include "engine/formats/safetensors_format.h"

#include "engine/core/error.h"

#include <array>
#include <utility>

namespace ft::safetensors {
namespace {

const std::array<std::pair<const char*, torch::ScalarType>, 10> kDtypes = {{
    {"F64", torch::kDouble},
    {"F32", torch::kFloat},
    {"F16", torch::kHalf},
    {"BF16", torch::kBFloat16},
    {"I64", torch::kLong},
    {"I32", torch::kInt},
    {"I16", torch::kShort},
    {"I8", torch::kChar},
    {"U8", torch::kByte},
    {"BOOL", torch::kBool},
}};

}  // namespace

std::optional<torch::ScalarType> dtype_from_name(const std::string& name) {
  for (const auto& [n, t] : kDtypes) {
    if (name == n) return t;
  }
  return std::nullopt;
}

std::string dtype_name(torch::ScalarType type) {
  for (const auto& [n, t] : kDtypes) {
    if (type == t) return n;
  }
  throw Error(ErrorKind::unsupported,
              std::string("safetensors cannot store tensors of type ") + c10::toString(type));
}

}  // namespace ft::safetensors
