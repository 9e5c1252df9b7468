// A model's shape, read from a Hugging Face config.json (LlamaForCausalLM, MistralForCausalLM,
// GPT2LMHeadModel; transformers 4 and 5 spellings) or built from a named architecture.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace ft {

enum class Architecture { llama, gpt2 };

// How rotary frequencies are adjusted for long contexts (Llama only).
struct RopeScaling {
  std::string type = "default";  // "default", "linear" or "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0;   // llama3
  double high_freq_factor = 4.0;  // llama3
  int64_t original_max_position_embeddings = 8192;  // llama3
};

struct ModelConfig {
  Architecture architecture = Architecture::llama;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // grouped-query attention when below num_heads
  int64_t head_dim = 0;
  int64_t intermediate_size = 0;
  int64_t max_position_embeddings = 0;
  double norm_eps = 1e-5;
  bool tie_word_embeddings = false;
  std::string activation = "silu";

  // Llama
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool attention_bias = false;
  bool mlp_bias = false;

  // GPT-2
  bool scale_attn_weights = true;
  bool scale_attn_by_inverse_layer_idx = false;

  double attention_dropout = 0.0;
  double residual_dropout = 0.0;  // GPT-2 resid_pdrop
  double embedding_dropout = 0.0;  // GPT-2 embd_pdrop

  int64_t bos_token_id = -1;  // -1: not set
  int64_t eos_token_id = -1;

  // The config.json as read; saving writes it back with the engine's fields updated, so keys the
  // engine does not use (generation defaults, custom metadata) survive a fine-tune.
  nlohmann::json source = nlohmann::json::object();
};

// Parses a config.json document; `origin` (usually the file's path) starts every error message.
// Throws ft::Error(invalid_input) for a missing or wrong-typed field, naming it, and
// ft::Error(unsupported) for an architecture the engine does not implement.
ModelConfig parse_model_config(const nlohmann::json& doc, const std::string& origin);
ModelConfig read_model_config(const std::filesystem::path& config_json);

// The config.json transformers reads back as the same model (both rope spellings are written).
nlohmann::json to_hf_config_json(const ModelConfig& config);

// Total trainable parameters (tied embeddings counted once).
int64_t parameter_count(const ModelConfig& config);

}  // namespace ft
