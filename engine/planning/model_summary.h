// What the hyper-parameter policy needs to know about a model: its size, its shape (for the
// memory estimate) and whether it has learned anything yet.
#pragma once

#include "engine/formats/model_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

// One kind of projection LoRA can adapt, summed over the layers: an adapter of rank r on it
// has r x width parameters (A is [r, in], B is [out, r]).
struct ProjectionShape {
  std::string name;   // the short module name: "q_proj", "c_attn", "lm_head"
  int64_t width = 0;  // in + out, summed over every module of that name
  bool output_head = false;
};

struct ModelSummary {
  int64_t parameter_count = 0;
  int64_t context_length = 0;  // the longest sequence the model accepts
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t vocab_size = 0;
  // false for a freshly initialised model (a named architecture), which is trained from scratch
  // rather than fine-tuned.
  bool pretrained = true;
  // Bytes per parameter of a frozen base, held in its checkpoint's 16-bit dtype where training
  // can compute in it (engine/models/weight_storage.h), else in fp32.
  int64_t frozen_bytes_per_parameter = 4;
  // 0 means unknown; the memory estimate then assumes GPT-3's proportions (64-wide heads, a
  // feed-forward 4 times the hidden size), which overestimate Llama's.
  int64_t num_heads = 0;
  int64_t intermediate_size = 0;
  // The projections, in module order (empty: unknown, and LoRA is not planned).
  std::vector<ProjectionShape> projections;
};

// The projections of a model of this config, as engine/models builds them.
std::vector<ProjectionShape> projection_shapes(const ModelConfig& config);

ModelSummary summarize_model(const ModelConfig& config, bool pretrained);

}  // namespace ft
