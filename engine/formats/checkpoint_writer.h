// Writes a model as a Hugging Face checkpoint folder that transformers (and this engine) load:
// config.json, generation_config.json, model.safetensors (or shards with an index),
// tokenizer.model, and tokenizer.json with tokenizer_config.json for AutoTokenizer.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"

#include <filesystem>

namespace ft {

struct CheckpointWriteOptions {
  // Shards are cut before this many bytes (transformers' default is 5 GB); one shard is written
  // as model.safetensors, several as model-0000N-of-0000M.safetensors plus the index.
  uint64_t max_shard_bytes = 5'000'000'000ull;
  torch::ScalarType dtype = torch::kFloat;  // F32, F16 or BF16
};

// Creates `folder` if needed; safetensors files left from an earlier save are removed.
void write_checkpoint(const std::filesystem::path& folder, const CausalLM& model, const Tokenizer& tokenizer,
                      const CheckpointWriteOptions& options = {});

}  // namespace ft
