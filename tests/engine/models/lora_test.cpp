#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/formats/peft_adapter.h"
#include "engine/models/lora.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <ATen/CPUGeneratorImpl.h>

#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string& name) { return fs::path(FT_FIXTURES) / "hf" / name; }

ft::LoraSettings all_projections(ft::CausalLM& model, int64_t rank = 4) {
  ft::LoraSettings s;
  s.rank = rank;
  s.alpha = 2.0 * rank;
  s.target_modules = ft::adaptable_module_names(model);
  return s;
}

torch::Tensor logits_of(ft::CausalLM& model) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto ids = torch::arange(3, 3 + 2 * 11, torch::kLong).remainder(model.config().vocab_size).view({2, 11});
  return model.forward(ft::ModelInput(ids));
}

// Nonzero B everywhere, as after training: otherwise the adapters would change nothing.
void randomize_adapters(ft::CausalLM& model, uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (const auto& a : ft::lora_adapters(model)) a.adapter->lora_B->weight.normal_(0, 0.05, generator);
}

std::set<std::string> names_of(ft::CausalLM& model) {
  std::set<std::string> names;
  for (const auto& p : model.named_parameters()) names.insert(p.key());
  return names;
}

double max_difference(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

TEST_CASE("adapters with B = 0 leave the base model's logits exactly as they were", "[lora]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    auto model = ft::load_causal_lm(fixture(name));
    const auto base = logits_of(*model);
    ft::attach_lora(*model, all_projections(*model), 1);
    INFO(name);
    CHECK(torch::equal(logits_of(*model), base));
  }
}

TEST_CASE("base parameters keep their Hugging Face names; adapters get PEFT's, and only they train", "[lora]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  const auto base_names = names_of(*model);
  ft::attach_lora(*model, all_projections(*model), 1);
  std::set<std::string> adapter_names, kept_names;
  for (const auto& p : model->named_parameters()) {
    (ft::is_lora_parameter(p.key()) ? adapter_names : kept_names).insert(p.key());
    CHECK(p.value().requires_grad() == ft::is_lora_parameter(p.key()));
  }
  CHECK(kept_names == base_names);
  CHECK(adapter_names.count("model.layers.0.self_attn.q_proj.lora_A.weight"));
  CHECK(adapter_names.count("model.layers.1.mlp.down_proj.lora_B.weight"));
  const auto& c = model->config();
  auto params = model->named_parameters();
  CHECK(params["model.layers.0.mlp.gate_proj.lora_A.weight"].sizes() == torch::IntArrayRef{4, c.hidden_size});
  CHECK(params["model.layers.0.mlp.gate_proj.lora_B.weight"].sizes() == torch::IntArrayRef{c.intermediate_size, 4});

  randomize_adapters(*model, 2);
  model->train();
  auto ids = torch::arange(1, 13, torch::kLong).view({1, 12});
  model->forward(ft::ModelInput(ids)).logsumexp(-1).sum().backward();
  for (const auto& p : model->named_parameters()) {
    INFO(p.key());
    if (ft::is_lora_parameter(p.key())) {
      REQUIRE(p.value().grad().defined());
      CHECK(p.value().grad().abs().sum().item<double>() > 0);
    } else {
      CHECK(!p.value().grad().defined());
    }
  }
}

TEST_CASE("A is drawn uniform in +-1/sqrt(in) from the seed; B starts at zero", "[lora]") {
  auto draw = [](uint64_t seed) {
    auto model = ft::load_causal_lm(fixture("tiny-llama"));
    ft::attach_lora(*model, all_projections(*model), seed);
    return ft::lora_adapters(*model);
  };
  const auto a = draw(7), b = draw(7), c = draw(8);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& A = a[i].adapter->lora_A->weight;
    const double bound = 1.0 / std::sqrt(static_cast<double>(A.size(1)));
    CHECK(A.abs().max().item<double>() <= bound);
    CHECK(A.abs().max().item<double>() > 0.8 * bound);
    CHECK(torch::equal(A, b[i].adapter->lora_A->weight));
    CHECK(!torch::equal(A, c[i].adapter->lora_A->weight));
    CHECK(a[i].adapter->lora_B->weight.abs().sum().item<double>() == 0);
  }
}

TEST_CASE("the update is (alpha / r) B A x on top of the base projection", "[lora]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  ft::LoraSettings s;
  s.rank = 2;
  s.alpha = 6;
  s.target_modules = {"q_proj"};
  ft::attach_lora(*model, s, 3);
  randomize_adapters(*model, 4);
  auto adapted = ft::lora_adapters(*model);
  REQUIRE(adapted.size() == static_cast<size_t>(model->config().num_layers));
  CHECK(adapted.front().module_path == "model.layers.0.self_attn.q_proj");
  auto linear = std::dynamic_pointer_cast<ft::LinearImpl>(model->named_modules()["model.layers.0.self_attn.q_proj"]);
  REQUIRE(linear);
  linear->eval();
  torch::NoGradGuard no_grad;
  auto x = torch::randn({5, model->config().hidden_size});
  const auto& a = *adapted.front().adapter;
  auto expected = torch::matmul(x, linear->weight.t()) + 3.0 * torch::matmul(torch::matmul(x, a.lora_A->weight.t()), a.lora_B->weight.t());
  CHECK(max_difference(linear->forward(x), expected) < 1e-5);
}

TEST_CASE("merged weights compute the adapted model's logits, with Hugging Face names only", "[lora]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    INFO(name);
    auto model = ft::load_causal_lm(fixture(name));
    const auto base_names = names_of(*model);
    const auto base = logits_of(*model);
    ft::attach_lora(*model, all_projections(*model), 5);
    randomize_adapters(*model, 6);
    const auto adapted = logits_of(*model);
    CHECK(max_difference(adapted, base) > 1e-3);  // the adapters matter
    ft::merge_lora(*model);
    CHECK(!ft::has_lora(*model));
    CHECK(names_of(*model) == base_names);
    CHECK(max_difference(logits_of(*model), adapted) < 1e-4);
  }
}

TEST_CASE("an adapter folder written in PEFT's format loads back to the same logits", "[lora]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    INFO(name);
    ft::testing::TempFolder dir;
    auto trained = ft::load_causal_lm(fixture(name));
    ft::attach_lora(*trained, all_projections(*trained, 3), 9);
    randomize_adapters(*trained, 10);
    ft::write_peft_adapter(dir.path(), *trained, fixture(name).string());

    const auto config = ft::read_json_file(dir.path() / "adapter_config.json");
    CHECK(config.at("peft_type") == "LORA");
    CHECK(config.at("task_type") == "CAUSAL_LM");
    CHECK(config.at("r") == 3);
    CHECK(config.at("lora_alpha").get<double>() == 6.0);
    CHECK(config.at("bias") == "none");
    CHECK(config.at("fan_in_fan_out") == (std::string(name) == "tiny-gpt2"));
    CHECK(config.at("base_model_name_or_path") == fixture(name).string());
    CHECK(config.at("target_modules").get<std::vector<std::string>>() == ft::adaptable_module_names(*trained));
    const ft::SafetensorsReader weights(dir.path() / "adapter_model.safetensors");
    const std::string first = std::string(name) == "tiny-gpt2" ? "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"
                                                               : "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
    CHECK(weights.find(first) != nullptr);
    CHECK(weights.entries().size() == 2 * ft::lora_adapters(*trained).size());

    auto loaded = ft::load_causal_lm(fixture(name));
    ft::load_peft_adapter(dir.path(), *loaded);
    CHECK(torch::equal(logits_of(*loaded), logits_of(*trained)));
  }
}

TEST_CASE("a base checkpoint written from an adapted model holds the base only", "[lora]") {
  ft::testing::TempFolder dir;
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  const auto base = logits_of(*model);
  ft::attach_lora(*model, all_projections(*model), 1);
  randomize_adapters(*model, 2);
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  ft::write_checkpoint(dir.path(), *model, tokenizer);
  CHECK(torch::equal(logits_of(*ft::load_causal_lm(dir.path())), base));
}

TEST_CASE("LoRA settings out of range or naming no projection are refused by name", "[lora]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  auto param_of = [&](const ft::LoraSettings& s) {
    try {
      ft::attach_lora(*model, s, 0);
    } catch (const ft::Error& e) {
      return e.param() + ": " + e.what();
    }
    return std::string("accepted");
  };
  auto s = all_projections(*model);
  s.target_modules = {"q_proj", "c_attn"};
  const auto unknown = param_of(s);
  CHECK(unknown.rfind("lora_target_modules: ", 0) == 0);
  CHECK(unknown.find("'c_attn' is not a projection of this model") != std::string::npos);
  CHECK(unknown.find("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj") != std::string::npos);
  s = all_projections(*model);
  s.rank = 0;
  CHECK(param_of(s).rfind("lora_rank: ", 0) == 0);
  s = all_projections(*model);
  s.dropout = 1;
  CHECK(param_of(s).rfind("lora_dropout: ", 0) == 0);
  CHECK(!ft::has_lora(*model));
}

TEST_CASE("PEFT features the engine does not compute are refused, not ignored", "[lora]") {
  ft::testing::TempFolder dir;
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  ft::attach_lora(*model, all_projections(*model), 1);
  ft::write_peft_adapter(dir.path(), *model, "");
  auto config = ft::read_json_file(dir.path() / "adapter_config.json");
  for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"use_dora", true}, {"use_rslora", true},
                                   {"rank_pattern", {{"q_proj", 16}}}, {"target_modules", "all-linear"}}) {
    INFO(key);
    auto changed = config;
    changed[key] = value;
    std::ofstream(dir.path() / "adapter_config.json") << changed.dump();
    CHECK_THROWS_AS(ft::read_peft_adapter_config(dir.path()), ft::Error);
  }
}
