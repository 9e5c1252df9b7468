#include "engine/planning/model_summary.h"

namespace ft {

std::vector<ProjectionShape> projection_shapes(const ModelConfig& c) {
  const int64_t layers = c.num_layers, h = c.hidden_size, ffn = c.intermediate_size;
  std::vector<ProjectionShape> shapes;
  auto add = [&](const char* name, int64_t in, int64_t out) { shapes.push_back({name, layers * (in + out), false}); };
  if (c.architecture == Architecture::gpt2) {
    add("c_attn", h, 3 * h);
    shapes.push_back({"c_proj", layers * (2 * h + ffn + h), false});  // attention's [h, h] and the MLP's [ffn, h]
    add("c_fc", h, ffn);
  } else {
    const int64_t q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim;
    if (c.architecture == Architecture::phi3) {
      add("qkv_proj", h, q + 2 * kv);
    } else {
      add("q_proj", h, q);
      add("k_proj", h, kv);
      add("v_proj", h, kv);
    }
    add("o_proj", q, h);
    if (c.architecture == Architecture::phi3) {
      add("gate_up_proj", h, 2 * ffn);
    } else {
      add("gate_proj", h, ffn);
      add("up_proj", h, ffn);
    }
    add("down_proj", ffn, h);
  }
  if (!c.tie_word_embeddings) shapes.push_back({"lm_head", h + c.vocab_size, true});
  return shapes;
}

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
  s.projections = projection_shapes(config);
  return s;
}

}  // namespace ft
