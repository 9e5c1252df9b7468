// model.safetensors.index.json: which shard of a sharded checkpoint holds each tensor. The index
// is untrusted: every shard must be a plain file name inside the checkpoint folder. No libtorch,
// so that it is fuzzed and tested alone (tests/fuzz).
#pragma once

#include "engine/core/json_document.h"

#include <map>
#include <string>
#include <vector>

namespace ft::safetensors {

constexpr JsonLimits kIndexJsonLimits{64u << 20, 8};

// Tensor names by shard file name, from the index's "weight_map". Throws ft::Error(invalid_input)
// whose message starts with `origin` (the index file).
std::map<std::string, std::vector<std::string>> parse_index(const nlohmann::json& index, const std::string& origin);

}  // namespace ft::safetensors
