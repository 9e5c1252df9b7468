#include "engine/planning/model_summary.h"

namespace ft {

ModelSummary summarize_model(const ModelConfig& config, bool pretrained) {
  ModelSummary s;
  s.parameter_count = parameter_count(config);
  s.context_length = config.max_position_embeddings;
  s.hidden_size = config.hidden_size;
  s.num_layers = config.num_layers;
  s.vocab_size = config.vocab_size;
  s.pretrained = pretrained;
  s.num_heads = config.num_heads;
  s.intermediate_size = config.intermediate_size;
  return s;
}

}  // namespace ft
