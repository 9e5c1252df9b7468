#include "engine/formats/model_config.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"

#include <set>

namespace ft {
namespace {

using nlohmann::json;

// Bounds far above any published model, so that a corrupted config.json is refused rather than
// sizing an allocation or overflowing the parameter count: every size fits 31 bits, layers are
// at most 65,536, and a model has at most 2^50 (about 10^15) parameters.
constexpr int64_t kMaxSize = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxLayers = int64_t{1} << 16;
constexpr int64_t kMaxParameters = int64_t{1} << 50;

// Typed access to config.json fields; every error names the file and the field.
class Fields {
 public:
  Fields(const json& doc, const std::string& origin) : doc_(doc), origin_(origin) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw Error(ErrorKind::invalid_input, origin_ + ": field \"" + key + "\" " + problem);
  }
  bool has(const std::string& key) const { return doc_.contains(key) && !doc_[key].is_null(); }

  int64_t size(const std::string& key, int64_t max = kMaxSize) const {
    if (!has(key)) fail(key, "is missing");
    const auto& v = doc_[key];
    if (!v.is_number_integer()) fail(key, "must be an integer, found " + json_excerpt(v));
    // An unsigned value above INT64_MAX reads as negative.
    if (v.get<int64_t>() <= 0 || v.get<int64_t>() > max) {
      fail(key, "must be from 1 to " + std::to_string(max) + ", found " + json_excerpt(v));
    }
    return v.get<int64_t>();
  }
  int64_t size_or(const std::string& key, int64_t fallback) const { return has(key) ? size(key) : fallback; }
  int64_t token_id_or(const std::string& key, int64_t fallback) const {
    if (!has(key)) return fallback;
    const auto& v = doc_[key];
    // Some checkpoints list several end-of-sequence ids; the first is the one generation emits.
    const auto& id = v.is_array() && !v.empty() ? v[0] : v;
    if (!id.is_number_integer()) fail(key, "must be an integer token id, found " + json_excerpt(v));
    return id.get<int64_t>();
  }
  double number_or(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    if (!doc_[key].is_number()) fail(key, "must be a number, found " + json_excerpt(doc_[key]));
    return doc_[key].get<double>();
  }
  bool flag_or(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!doc_[key].is_boolean()) fail(key, "must be true or false, found " + json_excerpt(doc_[key]));
    return doc_[key].get<bool>();
  }
  std::string text_or(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!doc_[key].is_string()) fail(key, "must be a string, found " + json_excerpt(doc_[key]));
    return doc_[key].get<std::string>();
  }
  const json& object(const std::string& key) const {
    if (!doc_[key].is_object()) fail(key, "must be an object, found " + json_excerpt(doc_[key]));
    return doc_[key];
  }
  const std::string& origin() const { return origin_; }

 private:
  const json& doc_;
  std::string origin_;  // a copy: nested objects are read with an origin built on the spot
};

struct ArchitectureName {
  Architecture architecture;
  const char* class_name;
  const char* model_type;
};

constexpr ArchitectureName kArchitectureNames[] = {
    {Architecture::llama, "LlamaForCausalLM", "llama"},     {Architecture::mistral, "MistralForCausalLM", "mistral"},
    {Architecture::qwen2, "Qwen2ForCausalLM", "qwen2"},     {Architecture::qwen3, "Qwen3ForCausalLM", "qwen3"},
    {Architecture::phi3, "Phi3ForCausalLM", "phi3"},        {Architecture::gemma2, "Gemma2ForCausalLM", "gemma2"},
    {Architecture::gpt2, "GPT2LMHeadModel", "gpt2"},
};

const ArchitectureName& names_of(Architecture architecture) {
  for (const auto& n : kArchitectureNames) {
    if (n.architecture == architecture) return n;
  }
  throw std::logic_error("an architecture without names");
}

Architecture detect_architecture(const json& doc, const Fields& f) {
  std::string name;
  if (f.has("architectures")) {
    const auto& a = doc["architectures"];
    if (!a.is_array() || a.empty() || !a[0].is_string()) f.fail("architectures", "must be a list of class names, found " + json_excerpt(a));
    name = a[0].get<std::string>();
  } else if (f.has("model_type")) {
    name = f.text_or("model_type", "");
  } else {
    throw Error(ErrorKind::invalid_input, f.origin() + ": neither \"architectures\" nor \"model_type\" says what model this is");
  }
  for (const auto& n : kArchitectureNames) {
    if (name == n.class_name || name == n.model_type) return n.architecture;
  }
  throw Error(ErrorKind::unsupported,
              f.origin() + ": architecture " + quoted_excerpt(name) + " is not supported (supported: " + supported_architectures() + ")");
}

// transformers 5 keeps rope_theta and the scaling inside "rope_parameters"; transformers 4 has a
// top-level "rope_theta" and an optional "rope_scaling" object.
void read_rope(const Fields& f, ModelConfig& c) {
  c.rope_theta = f.number_or("rope_theta", 10000.0);
  const char* key = f.has("rope_parameters") ? "rope_parameters" : f.has("rope_scaling") ? "rope_scaling" : nullptr;
  if (!key) return;
  const json& params = f.object(key);
  Fields p(params, f.origin() + " " + key);
  c.rope_theta = p.number_or("rope_theta", c.rope_theta);
  auto& s = c.rope_scaling;
  s.type = p.text_or("rope_type", p.text_or("type", "default"));
  if (s.type != "default" && s.type != "linear" && s.type != "llama3") {
    throw Error(ErrorKind::unsupported, f.origin() + ": rope type " + quoted_excerpt(s.type) +
                                            " is not supported (supported: default, linear, llama3)");
  }
  if (p.number_or("partial_rotary_factor", 1.0) != 1.0) {
    throw Error(ErrorKind::unsupported, f.origin() + ": a partial_rotary_factor other than 1 is not supported");
  }
  s.factor = p.number_or("factor", 1.0);
  s.low_freq_factor = p.number_or("low_freq_factor", s.low_freq_factor);
  s.high_freq_factor = p.number_or("high_freq_factor", s.high_freq_factor);
  s.original_max_position_embeddings = p.size_or("original_max_position_embeddings", s.original_max_position_embeddings);
}

// Which layers attend within the sliding window: transformers 5 writes "layer_types"; older
// configs leave it to the architecture (Mistral and Phi-3 every layer, Qwen from
// max_window_layers on when use_sliding_window, Gemma 2 every other layer from the first).
void read_sliding_window(const Fields& f, const json& doc, ModelConfig& c) {
  c.sliding_layers.assign(c.num_layers, false);
  c.sliding_window = f.size_or("sliding_window", 0);
  if (f.has("layer_types")) {
    const auto& types = doc["layer_types"];
    if (!types.is_array() || static_cast<int64_t>(types.size()) != c.num_layers) {
      f.fail("layer_types", "must list one type per layer (" + std::to_string(c.num_layers) + ")");
    }
    for (int64_t i = 0; i < c.num_layers; ++i) {
      const auto type = types[i].is_string() ? types[i].get<std::string>() : "";
      if (type != "full_attention" && type != "sliding_attention") {
        f.fail("layer_types", "has " + json_excerpt(types[i]) + "; supported: full_attention, sliding_attention");
      }
      c.sliding_layers[i] = type == "sliding_attention";
    }
  } else {
    const bool qwen_window = f.flag_or("use_sliding_window", false);
    const int64_t first_qwen_window_layer = f.size_or("max_window_layers", c.num_layers);
    for (int64_t i = 0; i < c.num_layers; ++i) {
      switch (c.architecture) {
        case Architecture::mistral:
        case Architecture::phi3: c.sliding_layers[i] = true; break;
        case Architecture::qwen2:
        case Architecture::qwen3: c.sliding_layers[i] = qwen_window && i >= first_qwen_window_layer; break;
        case Architecture::gemma2: c.sliding_layers[i] = i % 2 == 0; break;
        case Architecture::llama:
        case Architecture::gpt2: break;
      }
    }
  }
  if (c.sliding_window == 0) c.sliding_layers.assign(c.num_layers, false);
}

void read_attention_shape(const Fields& f, ModelConfig& c) {
  c.num_heads = f.size("num_attention_heads");
  c.num_kv_heads = f.size_or("num_key_value_heads", c.num_heads);
  if (c.num_heads % c.num_kv_heads != 0) {
    f.fail("num_key_value_heads", "(" + std::to_string(c.num_kv_heads) + ") must divide num_attention_heads (" +
                                      std::to_string(c.num_heads) + ")");
  }
  if (!f.has("head_dim") && c.hidden_size % c.num_heads != 0) {
    f.fail("hidden_size", "must be a multiple of num_attention_heads when head_dim is not given");
  }
  c.head_dim = f.size_or("head_dim", c.hidden_size / c.num_heads);
  if (c.head_dim % 2 != 0) f.fail("head_dim", "must be even for rotary embeddings");
}

// The fields only some of the Llama line have, and the biases each puts where.
void read_variations(const Fields& f, ModelConfig& c) {
  const bool attention_bias = f.flag_or("attention_bias", false);
  c.qkv_bias = c.output_bias = attention_bias;
  switch (c.architecture) {
    case Architecture::qwen2: c.qkv_bias = true, c.output_bias = false; break;
    case Architecture::qwen3: c.qk_norm = true; break;
    case Architecture::gemma2:
      c.attention_softcap = f.number_or("attn_logit_softcapping", 0.0);
      c.final_softcap = f.number_or("final_logit_softcapping", 0.0);
      c.query_pre_attn_scalar = static_cast<double>(f.size_or("query_pre_attn_scalar", c.head_dim));
      break;
    case Architecture::llama:
    case Architecture::mistral:
    case Architecture::phi3:
    case Architecture::gpt2: break;
  }
}

void read_llama_line(const Fields& f, const json& doc, ModelConfig& c) {
  c.vocab_size = f.size("vocab_size");
  c.hidden_size = f.size("hidden_size");
  c.intermediate_size = f.size("intermediate_size");
  c.num_layers = f.size("num_hidden_layers", kMaxLayers);
  read_attention_shape(f, c);
  c.max_position_embeddings = f.size_or("max_position_embeddings", 2048);
  c.norm_eps = f.number_or("rms_norm_eps", 1e-6);
  c.tie_word_embeddings = f.flag_or("tie_word_embeddings", c.architecture == Architecture::gemma2);
  const bool gemma = c.architecture == Architecture::gemma2;
  const char* activation_key = gemma ? "hidden_activation" : "hidden_act";
  c.activation = f.text_or(activation_key, gemma ? "gelu_pytorch_tanh" : "silu");
  if (c.activation != (gemma ? "gelu_pytorch_tanh" : "silu")) {
    f.fail(activation_key, quoted_excerpt(c.activation) + " is not supported for " + architecture_class_name(c.architecture) +
                               " (only " + (gemma ? "gelu_pytorch_tanh" : "silu") + ")");
  }
  c.mlp_bias = f.flag_or("mlp_bias", false);
  c.attention_dropout = f.number_or("attention_dropout", 0.0);
  read_variations(f, c);
  read_sliding_window(f, doc, c);
  read_rope(f, c);
}

void read_gpt2(const Fields& f, ModelConfig& c) {
  c.vocab_size = f.size("vocab_size");
  c.hidden_size = f.size("n_embd");
  c.num_layers = f.size("n_layer", kMaxLayers);
  c.num_heads = f.size("n_head");
  if (c.hidden_size % c.num_heads != 0) f.fail("n_embd", "must be a multiple of n_head");
  c.num_kv_heads = c.num_heads;
  c.head_dim = c.hidden_size / c.num_heads;
  c.intermediate_size = f.size_or("n_inner", 4 * c.hidden_size);
  c.max_position_embeddings = f.size("n_positions");
  c.norm_eps = f.number_or("layer_norm_epsilon", 1e-5);
  c.tie_word_embeddings = f.flag_or("tie_word_embeddings", true);
  c.activation = f.text_or("activation_function", "gelu_new");
  const std::set<std::string> known = {"gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu", "swish"};
  if (!known.count(c.activation)) {
    throw Error(ErrorKind::unsupported, f.origin() + ": activation_function " + quoted_excerpt(c.activation) + " is not supported");
  }
  c.scale_attn_weights = f.flag_or("scale_attn_weights", true);
  c.scale_attn_by_inverse_layer_idx = f.flag_or("scale_attn_by_inverse_layer_idx", false);
  c.attention_dropout = f.number_or("attn_pdrop", 0.1);
  c.residual_dropout = f.number_or("resid_pdrop", 0.1);
  c.embedding_dropout = f.number_or("embd_pdrop", 0.1);
}

// In 128 bits: with every size below 2^31 and at most 2^16 layers, no term can overflow, so a
// corrupted config.json is measured before it is refused.
__int128 exact_parameter_count(const ModelConfig& c) {
  const __int128 h = c.hidden_size, v = c.vocab_size, ff = c.intermediate_size;
  const __int128 embeddings = v * h * (c.tie_word_embeddings ? 1 : 2);
  if (c.architecture == Architecture::gpt2) {
    const __int128 block = 2 * h + (h * 3 * h + 3 * h) + (h * h + h) + 2 * h + (h * ff + ff) + (ff * h + h);
    return embeddings + c.max_position_embeddings * h + c.num_layers * block + 2 * h;
  }
  const __int128 heads = c.num_heads, kv_heads = c.num_kv_heads, head_dim = c.head_dim;
  const __int128 q = h * heads * head_dim, kv = 2 * h * kv_heads * head_dim;
  const __int128 o = heads * head_dim * h;
  const __int128 attention_bias = (c.qkv_bias ? (heads + 2 * kv_heads) * head_dim : 0) + (c.output_bias ? h : 0);
  const __int128 mlp_bias = c.mlp_bias ? 2 * ff + h : 0;
  const __int128 norms = (c.architecture == Architecture::gemma2 ? 4 : 2) * h + (c.qk_norm ? 2 * head_dim : 0);
  const __int128 block = q + kv + o + attention_bias + 3 * h * ff + mlp_bias + norms;
  return embeddings + c.num_layers * block + h;
}

}  // namespace

ModelConfig parse_model_config(const json& doc, const std::string& origin) {
  if (!doc.is_object()) throw Error(ErrorKind::invalid_input, origin + ": not a JSON object");
  Fields f(doc, origin);
  ModelConfig c;
  c.architecture = detect_architecture(doc, f);
  if (c.architecture == Architecture::gpt2) {
    read_gpt2(f, c);
  } else {
    read_llama_line(f, doc, c);
  }
  c.bos_token_id = f.token_id_or("bos_token_id", -1);
  c.eos_token_id = f.token_id_or("eos_token_id", -1);
  c.source = doc;
  if (exact_parameter_count(c) > kMaxParameters) {
    throw Error(ErrorKind::invalid_input, origin + ": describes a model of more than 2^50 parameters; is it corrupted?");
  }
  return c;
}

ModelConfig read_model_config(const std::filesystem::path& config_json) {
  return parse_model_config(read_json_file(config_json, {1u << 20, 16}), config_json.string());
}

const char* architecture_class_name(Architecture architecture) { return names_of(architecture).class_name; }

const char* architecture_model_type(Architecture architecture) { return names_of(architecture).model_type; }

std::string supported_architectures() {
  std::string list;
  for (const auto& n : kArchitectureNames) list += std::string(list.empty() ? "" : ", ") + n.class_name;
  return list;
}

namespace {

void write_variations(const ModelConfig& c, json& j) {
  if (c.sliding_window > 0) {
    j["sliding_window"] = c.sliding_window;
    json types = json::array();
    for (bool sliding : c.sliding_layers) types.push_back(sliding ? "sliding_attention" : "full_attention");
    j["layer_types"] = types;
  }
  if (c.architecture == Architecture::gemma2) {
    j["attn_logit_softcapping"] = c.attention_softcap > 0 ? json(c.attention_softcap) : json(nullptr);
    j["final_logit_softcapping"] = c.final_softcap > 0 ? json(c.final_softcap) : json(nullptr);
    // An integer in transformers' config class, which checks the type.
    j["query_pre_attn_scalar"] = static_cast<int64_t>(c.query_pre_attn_scalar);
  }
}

}  // namespace

json to_hf_config_json(const ModelConfig& c) {
  json j = c.source.is_object() ? c.source : json::object();
  j["vocab_size"] = c.vocab_size;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["torch_dtype"] = "float32";  // transformers 4
  j["dtype"] = "float32";        // transformers 5
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_id >= 0) j["eos_token_id"] = c.eos_token_id;
  if (c.architecture == Architecture::gpt2) {
    if (!j.contains("architectures")) j["architectures"] = {"GPT2LMHeadModel"};
    j["model_type"] = "gpt2";
    j["n_embd"] = c.hidden_size;
    j["n_layer"] = c.num_layers;
    j["n_head"] = c.num_heads;
    j["n_inner"] = c.intermediate_size;
    j["n_positions"] = c.max_position_embeddings;
    j["layer_norm_epsilon"] = c.norm_eps;
    j["activation_function"] = c.activation;
    j["scale_attn_weights"] = c.scale_attn_weights;
    j["scale_attn_by_inverse_layer_idx"] = c.scale_attn_by_inverse_layer_idx;
    j["attn_pdrop"] = c.attention_dropout;
    j["resid_pdrop"] = c.residual_dropout;
    j["embd_pdrop"] = c.embedding_dropout;
    return j;
  }
  j["architectures"] = {architecture_class_name(c.architecture)};
  j["model_type"] = architecture_model_type(c.architecture);
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  j["head_dim"] = c.head_dim;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.norm_eps;
  j[c.architecture == Architecture::gemma2 ? "hidden_activation" : "hidden_act"] = c.activation;
  if (c.architecture != Architecture::qwen2) j["attention_bias"] = c.output_bias;
  j["mlp_bias"] = c.mlp_bias;
  write_variations(c, j);
  j["attention_dropout"] = c.attention_dropout;
  const auto& s = c.rope_scaling;
  json rope = {{"rope_type", s.type}, {"rope_theta", c.rope_theta}};
  if (s.type != "default") {
    rope["factor"] = s.factor;
    if (s.type == "llama3") {
      rope["low_freq_factor"] = s.low_freq_factor;
      rope["high_freq_factor"] = s.high_freq_factor;
      rope["original_max_position_embeddings"] = s.original_max_position_embeddings;
    }
  }
  // Both spellings, so transformers 4 and 5 read the same rotary embedding.
  j["rope_theta"] = c.rope_theta;
  j["rope_parameters"] = rope;
  j["rope_scaling"] = s.type == "default" ? json(nullptr) : rope;
  return j;
}

int64_t parameter_count(const ModelConfig& c) { return static_cast<int64_t>(exact_parameter_count(c)); }

}  // namespace ft
