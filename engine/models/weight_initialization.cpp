#include "engine/models/weight_initialization.h"

#include "engine/core/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace ft {
namespace {

enum class Draw { normal, residual_projection, zeros, ones };

// The modules whose weight is a matrix drawn from N(0, initializer_range): Llama's, then GPT-2's.
constexpr std::string_view kMatrixModules[] = {
    "embed_tokens", "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head",
    "wte",          "wpe",    "c_attn", "c_proj", "c_fc",
};
constexpr std::string_view kNormModules[] = {
    "input_layernorm", "post_attention_layernorm", "norm", "ln_1", "ln_2", "ln_f",
};

template <size_t N>
bool is_one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// How a parameter is drawn, from its module's name and its own: "model.layers.0.mlp.down_proj.weight"
// is the weight of a "down_proj".
Draw draw_for(const std::string& name, Architecture architecture) {
  const std::string_view full(name);
  const size_t last_dot = full.rfind('.');
  const std::string_view own = full.substr(last_dot + 1);
  const std::string_view module_path = full.substr(0, last_dot == std::string_view::npos ? 0 : last_dot);
  const std::string_view module = module_path.substr(module_path.rfind('.') + 1);
  if (last_dot != std::string_view::npos && own == "bias") return Draw::zeros;
  if (own == "weight" && is_one_of(module, kNormModules)) return Draw::ones;
  if (own == "weight" && is_one_of(module, kMatrixModules)) {
    // Both GPT-2 blocks' c_proj add into the residual stream; Llama has no c_proj.
    return architecture == Architecture::gpt2 && module == "c_proj" ? Draw::residual_projection : Draw::normal;
  }
  throw Error(ErrorKind::internal, "initialize_weights has no rule for the parameter " + name);
}

double initializer_range(const ModelConfig& config) {
  const auto& source = config.source;
  if (source.is_object() && source.contains("initializer_range") && source["initializer_range"].is_number()) {
    return source["initializer_range"].get<double>();
  }
  return 0.02;
}

}  // namespace

void initialize_weights(CausalLM& model, uint64_t seed) {
  const ModelConfig& config = model.config();
  const double deviation = initializer_range(config);
  const double residual_deviation = deviation / std::sqrt(2.0 * static_cast<double>(config.num_layers));
  // Drawn in fp32 on the CPU and copied in: a CUDA generator would give other numbers for the
  // same seed, and the parameters' dtype must not change what is drawn either.
  auto generator = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters()) {
    auto& parameter = item.value();
    const Draw draw = draw_for(item.key(), config.architecture);
    if (draw == Draw::zeros) {
      parameter.zero_();
    } else if (draw == Draw::ones) {
      parameter.fill_(1.0);
    } else {
      const double d = draw == Draw::residual_projection ? residual_deviation : deviation;
      parameter.copy_(torch::empty(parameter.sizes(), torch::kFloat).normal_(0.0, d, generator));
    }
  }
}

}  // namespace ft
