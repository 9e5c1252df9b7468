// What the hyper-parameter policy needs to know about a model: its size, its shape (for the
// memory estimate) and whether it has learned anything yet.
#pragma once

#include "engine/formats/model_config.h"

#include <cstdint>

namespace ft {

struct ModelSummary {
  int64_t parameter_count = 0;
  int64_t context_length = 0;  // the longest sequence the model accepts
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t vocab_size = 0;
  // false for a freshly initialised model (a named architecture), which is trained from scratch
  // rather than fine-tuned.
  bool pretrained = true;
  // 0 means unknown; the memory estimate then assumes GPT-3's proportions (64-wide heads, a
  // feed-forward 4 times the hidden size), which overestimate Llama's.
  int64_t num_heads = 0;
  int64_t intermediate_size = 0;
};

ModelSummary summarize_model(const ModelConfig& config, bool pretrained);

}  // namespace ft
