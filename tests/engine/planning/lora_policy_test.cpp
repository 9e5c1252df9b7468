// The policy's method choice and LoRA hyper-parameters, on TinyLlama's shape.
#include "engine/core/error.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/models/lora.h"
#include "engine/planning/hyperparameter_policy.h"
#include "engine/planning/training_memory.h"
#include "tests/catch.h"

#include <filesystem>

namespace {

using nlohmann::json;
using Catch::Matchers::Contains;

constexpr uint64_t gib = uint64_t(1) << 30;

ft::DatasetStatistics training_set(int64_t examples, int64_t tokens_each) {
  ft::DatasetStatistics s;
  s.examples = examples;
  s.total_tokens = examples * tokens_each;
  s.prompt_tokens = s.total_tokens / 2;
  s.completion_tokens = s.total_tokens - s.prompt_tokens;
  s.min_tokens = s.max_tokens = s.median_tokens = s.p95_tokens = tokens_each;
  s.mean_tokens = double(tokens_each);
  return s;
}

// TinyLlama 1.1B's config.json: 22 layers of 2048, 32 heads, 4 key-value heads, MLP 5632.
ft::ModelConfig tinyllama_config() {
  ft::ModelConfig c;
  c.architecture = ft::Architecture::llama;
  c.vocab_size = 32000;
  c.hidden_size = 2048;
  c.num_layers = 22;
  c.num_heads = 32;
  c.num_kv_heads = 4;
  c.head_dim = 64;
  c.intermediate_size = 5632;
  c.max_position_embeddings = 2048;
  return c;
}

ft::MachineSummary cpu(uint64_t memory_bytes) { return {false, memory_bytes, 2}; }

ft::HyperparameterPlan plan(const json& hyperparameters, ft::TrainingMethod method, uint64_t memory,
                            int64_t examples = 200, int64_t tokens_each = 264, int64_t frozen_bytes_per_parameter = 4) {
  auto model = ft::summarize_model(tinyllama_config(), true);
  model.frozen_bytes_per_parameter = frozen_bytes_per_parameter;
  return ft::plan_hyperparameters(hyperparameters, 1, training_set(examples, tokens_each), model, cpu(memory), {}, method);
}

std::string param_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ft::Error& e) {
    return e.param();
  }
  return "no error";
}

}  // namespace

TEST_CASE("auto chooses full fine-tuning where it fits, else LoRA, and says why", "[planning][lora]") {
  const auto roomy = plan(json::object(), ft::TrainingMethod::automatic, 64 * gib);
  CHECK(roomy.text("method") == "full");
  CHECK_THAT(roomy.at("method").reason, Contains("within 80%"));
  CHECK(!roomy.contains("lora_rank"));

  // The machine: 20649762816 bytes available, where a full step on 264 tokens needs 16 GiB.
  const auto tight = plan(json::object(), ft::TrainingMethod::automatic, 20649762816ull);
  CHECK(tight.text("method") == "lora");
  CHECK(tight.at("method").source == ft::HyperparameterSource::automatic);
  CHECK_THAT(tight.at("method").reason, Contains("more than 80% of the machine's 20649762816 available bytes"));
  CHECK(tight.integer("micro_batch_size") >= 1);
  const auto full_estimate = ft::estimate_training_memory(ft::summarize_model(tinyllama_config(), true), 1, 264, false);
  CHECK(full_estimate.total_bytes() > int64_t(20649762816ull / 100 * 80));
}

TEST_CASE("LoRA's values on TinyLlama's shape, each with its source and reason", "[planning][lora]") {
  const auto p = plan(json::object(), ft::TrainingMethod::lora, 64 * gib);
  CHECK(p.text("method") == "lora");
  CHECK(p.at("method").source == ft::HyperparameterSource::user);
  CHECK(p.at("lora_target_modules").value ==
        json({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}));
  CHECK_THAT(p.at("lora_target_modules").reason, Contains("LoRA Without Regret"));
  // 200 x 264 = 52800 tokens, 788480 adapter parameters per rank: 1 needed, clamped to 16.
  CHECK(p.integer("lora_rank") == 16);
  CHECK_THAT(p.at("lora_rank").reason, Contains("788480 adapter parameters per rank"));
  CHECK(p.number("lora_alpha") == 32);
  CHECK(p.number("lora_dropout") == 0.1);
  CHECK_THAT(p.at("lora_dropout").reason, Contains("QLoRA"));
  // Ten times full fine-tuning's rate for the same batch.
  const auto full = plan(json::object(), ft::TrainingMethod::full, 64 * gib);
  CHECK(p.number("learning_rate") == Approx(10 * full.number("learning_rate")).epsilon(0.01));
  CHECK_THAT(p.at("learning_rate").reason, Contains("10 x learning_rate_multiplier"));
  // Frozen base: 4 bytes a base parameter, 16 an adapter parameter.
  CHECK(p.integer("estimated_memory_bytes") < full.integer("estimated_memory_bytes") - 11 * 1'000'000'000ll);
  CHECK_THAT(p.at("estimated_memory_bytes").reason, Contains("frozen base parameters"));

  // TinyLlama's checkpoint is BF16: held so, its frozen base takes 2 bytes a parameter.
  const auto bf16 = plan(json::object(), ft::TrainingMethod::lora, 64 * gib, 200, 264, 2);
  CHECK(p.integer("estimated_memory_bytes") - bf16.integer("estimated_memory_bytes") == 2 * 1100048384ll);
  CHECK_THAT(bf16.at("estimated_memory_bytes").reason, Contains("2 bytes x 1100048384 frozen base parameters"));

  // A larger data set asks for a larger rank: 200000 x 512 tokens / (2 x 788480) = 64.9, so 128.
  CHECK(plan(json::object(), ft::TrainingMethod::lora, 64 * gib, 200000, 512).integer("lora_rank") == 128);
}

TEST_CASE("LoRA values a user sets are kept, checked and refused by name", "[planning][lora]") {
  const json given = {{"lora_rank", 4}, {"lora_alpha", 8}, {"lora_dropout", 0}, {"lora_target_modules", {"q_proj", "v_proj"}}};
  const auto p = plan(given, ft::TrainingMethod::automatic, 64 * gib);
  CHECK(p.text("method") == "lora");  // setting LoRA values asks for LoRA
  CHECK(p.integer("lora_rank") == 4);
  CHECK(p.at("lora_rank").source == ft::HyperparameterSource::user);
  CHECK(p.number("lora_alpha") == 8);
  CHECK(p.number("lora_dropout") == 0);
  CHECK(p.at("lora_target_modules").value == json({"q_proj", "v_proj"}));

  CHECK(param_of([] { plan({{"lora_rank", 0}}, ft::TrainingMethod::lora, 64 * gib); }) == "hyperparameters.lora_rank");
  CHECK(param_of([] { plan({{"lora_dropout", 1}}, ft::TrainingMethod::lora, 64 * gib); }) == "hyperparameters.lora_dropout");
  CHECK(param_of([] { plan({{"lora_alpha", -2}}, ft::TrainingMethod::lora, 64 * gib); }) == "hyperparameters.lora_alpha");
  CHECK(param_of([] { plan({{"lora_target_modules", {"c_attn"}}}, ft::TrainingMethod::lora, 64 * gib); }) ==
        "hyperparameters.lora_target_modules");
  CHECK(param_of([] { plan({{"lora_target_modules", json::array()}}, ft::TrainingMethod::lora, 64 * gib); }) ==
        "hyperparameters.lora_target_modules");
  CHECK(param_of([] { plan({{"lora_rank", 8}}, ft::TrainingMethod::full, 64 * gib); }) == "hyperparameters.lora_rank");
  CHECK(param_of([] {
          ft::plan_hyperparameters(json::object(), 1, training_set(50, 20), ft::summarize_model(tinyllama_config(), false),
                                   cpu(64 * gib), {}, ft::TrainingMethod::lora);
        }) == "method");
}

TEST_CASE("the planner's projection widths are the adapters attach_lora makes", "[planning][lora]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    INFO(name);
    auto model = ft::load_causal_lm(std::filesystem::path(FT_FIXTURES) / "hf" / name);
    const auto shapes = ft::projection_shapes(model->config());
    std::vector<std::string> names;
    int64_t width = 0;
    for (const auto& s : shapes) {
      names.push_back(s.name);
      width += s.width;
    }
    CHECK(names == ft::adaptable_module_names(*model));
    ft::LoraSettings settings;
    settings.rank = 3;
    settings.target_modules = names;
    ft::attach_lora(*model, settings, 0);
    int64_t adapter_parameters = 0;
    for (const auto& p : model->named_parameters()) {
      if (ft::is_lora_parameter(p.key())) adapter_parameters += p.value().numel();
    }
    CHECK(adapter_parameters == 3 * width);
  }
}
