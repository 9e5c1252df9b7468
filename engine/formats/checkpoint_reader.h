// Reads a Hugging Face checkpoint folder: config.json, model.safetensors or sharded
// model-0000N-of-0000M.safetensors with model.safetensors.index.json. Pickle checkpoints
// (pytorch_model.bin) are refused, never unpickled.
#pragma once

#include "engine/formats/safetensors_reader.h"
#include "engine/models/causal_lm.h"

#include <filesystem>
#include <memory>
#include <vector>

namespace ft {

// The safetensors files of a checkpoint folder, each opened and its header validated.
// Throws ft::Error naming the folder or file: not_found when there are no weights,
// unsupported for pickle-only folders, invalid_input for an index that disagrees with its shards.
std::vector<SafetensorsReader> open_checkpoint_weights(const std::filesystem::path& folder);

// Copies every parameter of `model` from the checkpoint, converting F16/BF16 to the
// parameter's dtype. Every model parameter must be present with the right shape, and every
// checkpoint tensor must belong to the model (or be one it knowingly ignores); otherwise
// ft::Error(invalid_input) names the tensors, the file, and what was expected.
void load_weights(const std::vector<SafetensorsReader>& weights, CausalLM& model);

// The dtype the checkpoint stores its matrices in: that of its first tensor of two or more
// dimensions (fp32 when it has none).
torch::ScalarType stored_matrix_dtype(const std::vector<SafetensorsReader>& weights);

// config.json, the model built from it, and its weights: a ready-to-run model.
std::shared_ptr<CausalLM> load_causal_lm(const std::filesystem::path& folder);

}  // namespace ft
