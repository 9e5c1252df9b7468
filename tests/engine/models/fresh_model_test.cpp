#include "engine/models/fresh_model.h"

#include "engine/core/error.h"
#include "engine/models/architecture_presets.h"
#include "engine/models/weight_initialization.h"
#include "engine/training/next_token_loss.h"
#include "tests/catch.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace {

std::vector<std::string> training_texts() {
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) {
    texts.push_back("example " + std::to_string(i) + ": the model reads the prompt and writes the completion.");
    texts.push_back("a fresh model starts from random weights and learns the task from these lines.");
  }
  return texts;
}

// Every parameter by name, copied, so that two models can be compared after both changed.
std::map<std::string, torch::Tensor> parameters_of(ft::CausalLM& model) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model.named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

torch::Tensor parameter(ft::CausalLM& model, const std::string& name) {
  auto parameters = model.named_parameters();
  auto* found = parameters.find(name);
  REQUIRE(found != nullptr);
  return found->detach();
}

// Wider and deeper than the tiny preset, so that the sample deviations are close to the true ones
// and GPT-2's residual scaling 1/sqrt(2 x 8 layers) = 1/4 is far from 1.
ft::ModelConfig wide(const std::string& preset) {
  auto config = *ft::architecture_preset(preset, 500);
  config.hidden_size = 256;
  config.head_dim = 64;
  config.intermediate_size = 1024;
  config.num_layers = 8;
  return config;
}

double deviation(const torch::Tensor& t) { return t.to(torch::kDouble).std().item<double>(); }

}  // namespace

TEST_CASE("a fresh model of each tiny architecture predicts no token better than another", "[fresh]") {
  for (std::string architecture : {"tiny-llama", "tiny-gpt2"}) {
    INFO(architecture);
    auto fresh = ft::create_fresh_model(architecture, training_texts(), 320, 1);
    const auto& config = fresh.model->config();
    CHECK(config.vocab_size == fresh.tokenizer.vocab_size());
    CHECK(config.bos_token_id == fresh.tokenizer.bos_id());
    CHECK(config.eos_token_id == fresh.tokenizer.eos_id());

    auto ids = fresh.tokenizer.encode("example 7: the model reads the prompt and writes the completion.");
    ids.insert(ids.begin(), fresh.tokenizer.bos_id());
    const auto input = torch::tensor(ids).unsqueeze(0);
    fresh.model->eval();
    torch::NoGradGuard no_grad;
    const auto logits = fresh.model->forward(ft::ModelInput(input));
    CHECK(logits.sizes().vec() == std::vector<int64_t>{1, input.size(1), config.vocab_size});
    CHECK(torch::isfinite(logits).all().item<bool>());
    // Weights of deviation 0.02 give nearly uniform predictions: the loss of a uniform guess.
    const double loss = ft::next_token_loss(logits, input).item<double>();
    INFO("loss " << loss << ", ln(vocab) " << std::log(config.vocab_size));
    CHECK(std::abs(loss - std::log(static_cast<double>(config.vocab_size))) < 0.1);
  }
}

TEST_CASE("an unknown architecture is refused with the known names", "[fresh]") {
  try {
    ft::create_fresh_model("gpt5", training_texts(), 320, 1);
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_argument);
    CHECK(e.param() == "model");
    CHECK_THAT(e.what(), Catch::Matchers::Contains("gpt5"));
    CHECK_THAT(e.what(), Catch::Matchers::Contains("tiny-llama"));
    CHECK_THAT(e.what(), Catch::Matchers::Contains("gpt3-175b"));
  }
}

TEST_CASE("initialization is the same for a seed and differs between seeds", "[fresh]") {
  for (std::string preset : {"tiny-llama", "tiny-gpt2"}) {
    INFO(preset);
    const auto config = *ft::architecture_preset(preset, 300);
    auto a = ft::make_causal_lm(config), b = ft::make_causal_lm(config), c = ft::make_causal_lm(config);
    ft::initialize_weights(*a, 42);
    torch::manual_seed(123);  // the global generator is not what the weights are drawn from
    ft::initialize_weights(*b, 42);
    ft::initialize_weights(*c, 43);
    const auto pa = parameters_of(*a), pb = parameters_of(*b), pc = parameters_of(*c);
    for (const auto& [name, tensor] : pa) {
      INFO(name);
      CHECK(torch::equal(tensor, pb.at(name)));
      // Constant parameters (norms, biases) are the same for every seed; drawn ones are not.
      const bool constant = (tensor == tensor.flatten()[0]).all().item<bool>();
      CHECK(torch::equal(tensor, pc.at(name)) == constant);
    }
  }
}

TEST_CASE("GPT-2 initialization: 0.02, residual projections scaled by depth, LayerNorm 1 and 0", "[fresh]") {
  auto model = ft::make_causal_lm(wide("tiny-gpt2"));
  ft::initialize_weights(*model, 5);
  const double residual = 0.02 / std::sqrt(2.0 * 8);
  for (std::string name : {"transformer.wte.weight", "transformer.wpe.weight", "transformer.h.3.attn.c_attn.weight",
                           "transformer.h.3.mlp.c_fc.weight"}) {
    INFO(name);
    CHECK(std::abs(deviation(parameter(*model, name)) / 0.02 - 1) < 0.02);
    CHECK(std::abs(parameter(*model, name).mean().item<double>()) < 1e-3);
  }
  for (std::string name : {"transformer.h.3.attn.c_proj.weight", "transformer.h.3.mlp.c_proj.weight"}) {
    INFO(name);
    CHECK(std::abs(deviation(parameter(*model, name)) / residual - 1) < 0.02);
  }
  for (std::string name : {"transformer.h.3.ln_1.weight", "transformer.h.3.ln_2.weight", "transformer.ln_f.weight"}) {
    CHECK(torch::equal(parameter(*model, name), torch::ones({256})));
  }
  for (std::string name : {"transformer.h.3.ln_1.bias", "transformer.h.3.attn.c_attn.bias",
                           "transformer.h.3.mlp.c_proj.bias", "transformer.ln_f.bias"}) {
    INFO(name);
    CHECK(parameter(*model, name).abs().max().item<double>() == 0.0);
  }
}

TEST_CASE("Llama initialization: 0.02 for every matrix, output projections included, RMSNorm 1", "[fresh]") {
  auto model = ft::make_causal_lm(wide("tiny-llama"));
  ft::initialize_weights(*model, 5);
  for (std::string name : {"model.embed_tokens.weight", "model.layers.3.self_attn.q_proj.weight",
                           "model.layers.3.self_attn.o_proj.weight", "model.layers.3.mlp.down_proj.weight",
                           "lm_head.weight"}) {
    INFO(name);
    CHECK(std::abs(deviation(parameter(*model, name)) / 0.02 - 1) < 0.02);
  }
  for (std::string name : {"model.layers.3.input_layernorm.weight", "model.layers.3.post_attention_layernorm.weight",
                           "model.norm.weight"}) {
    CHECK(torch::equal(parameter(*model, name), torch::ones({256})));
  }
}

TEST_CASE("initialization reads initializer_range from the config", "[fresh]") {
  auto config = wide("tiny-gpt2");
  config.source["initializer_range"] = 0.05;
  auto model = ft::make_causal_lm(config);
  ft::initialize_weights(*model, 5);
  CHECK(std::abs(deviation(parameter(*model, "transformer.h.0.mlp.c_fc.weight")) / 0.05 - 1) < 0.02);
  CHECK(std::abs(deviation(parameter(*model, "transformer.h.0.mlp.c_proj.weight")) / (0.05 / 4) - 1) < 0.02);
}
