// A model's shape, read from a Hugging Face config.json (transformers 4 and 5 spellings) or built
// from a named architecture.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

// Every architecture but GPT-2 is a rotary decoder of the Llama line (engine/models/llama_model.h):
// the enum says which of its variations apply. Switches over it have no default, so that the
// compiler names every place a new architecture must be handled.
enum class Architecture { llama, mistral, qwen2, qwen3, phi3, gemma2, gpt2 };

// The transformers class name ("LlamaForCausalLM"), and the list of all of them for messages.
const char* architecture_class_name(Architecture architecture);
// config.json's model_type ("llama").
const char* architecture_model_type(Architecture architecture);
std::string supported_architectures();

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

  // Rotary decoders (all but GPT-2)
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool qkv_bias = false;     // q, k and v projections have biases (Llama's attention_bias; Qwen2 always)
  bool output_bias = false;  // o_proj has a bias (Llama's attention_bias; never Qwen2)
  bool mlp_bias = false;
  bool qk_norm = false;      // Qwen3: RMSNorm over each head of q and k before the rotation
  int64_t sliding_window = 0;  // 0: none; else layers marked sliding attend to the last this many tokens
  std::vector<bool> sliding_layers;  // one per layer
  // Gemma 2
  double attention_softcap = 0;  // 0: none; else scores -> cap * tanh(scores / cap)
  double final_softcap = 0;      // the same on the output logits
  double query_pre_attn_scalar = 0;  // 0: scale scores by 1/sqrt(head_dim); else by 1/sqrt(this)

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
