#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/models/lora.h"
#include "engine/models/weight_storage.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training_setup.h"
#include "tests/catch.h"
#include "tests/copy_data.h"
#include "tests/temp_folder.h"

namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string& name) { return fs::path(FT_FIXTURES) / "hf" / name; }

ft::LoraSettings every_projection(ft::CausalLM& model) {
  ft::LoraSettings s;
  s.rank = 4;
  s.alpha = 8;
  s.target_modules = ft::adaptable_module_names(model);
  return s;
}

// Trained-looking adapters (B nonzero), identical for every model of the same shape.
void set_adapters(ft::CausalLM& model) {
  torch::NoGradGuard no_grad;
  for (const auto& a : ft::lora_adapters(model)) a.adapter->lora_B->weight.fill_(0.01);
}

torch::Tensor ids_for(const ft::CausalLM& model) {
  return torch::arange(3, 3 + 2 * 9, torch::kLong).remainder(model.config().vocab_size).view({2, 9});
}

torch::Tensor logits_of(ft::CausalLM& model) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward(ft::ModelInput(ids_for(model)));
}

// A copy of a fixture checkpoint with its weights stored in bf16, as most published ones are.
fs::path bf16_copy(const fs::path& source, const fs::path& folder) {
  auto model = ft::load_causal_lm(source);
  ft::CheckpointWriteOptions options;
  options.dtype = torch::kBFloat16;
  ft::write_checkpoint(folder, *model, ft::Tokenizer::load_folder(source), options);
  return folder;
}

}  // namespace

TEST_CASE("a frozen base is held in bf16 as stored, fp16 only on a GPU, anything else in fp32", "[lora][storage]") {
  CHECK(ft::frozen_base_dtype(torch::kBFloat16, torch::kCPU) == torch::kBFloat16);
  CHECK(ft::frozen_base_dtype(torch::kHalf, torch::kCPU) == torch::kFloat);
  CHECK(ft::frozen_base_dtype(torch::kHalf, torch::Device(torch::kCUDA, 0)) == torch::kHalf);
  CHECK(ft::frozen_base_dtype(torch::kFloat, torch::kCPU) == torch::kFloat);
}

TEST_CASE("with matrices in bf16 the model computes within bf16 rounding, and only fp32 adapters get gradients",
          "[lora][storage]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    INFO(name);
    auto reference = ft::load_causal_lm(fixture(name));
    ft::attach_lora(*reference, every_projection(*reference), 1);
    set_adapters(*reference);

    auto model = ft::load_causal_lm(fixture(name));
    ft::hold_matrices_in(*model, torch::kBFloat16);
    ft::attach_lora(*model, every_projection(*model), 1);
    set_adapters(*model);
    for (const auto& p : model->named_parameters()) {
      INFO(p.key());
      const bool adapter = ft::is_lora_parameter(p.key());
      CHECK(p.value().scalar_type() == (adapter || p.value().dim() < 2 ? torch::kFloat : torch::kBFloat16));
    }

    const auto expected = logits_of(*reference), got = logits_of(*model);
    CHECK(got.scalar_type() == torch::kFloat);
    // bf16 keeps 8 significant bits: products of rounded weights and inputs stay within a few percent.
    CHECK((got - expected).abs().max().item<double>() < 0.05 * expected.abs().max().item<double>());

    model->train();
    model->forward(ft::ModelInput(ids_for(*model))).logsumexp(-1).mean().backward();
    for (const auto& p : model->named_parameters()) {
      INFO(p.key());
      CHECK(p.value().grad().defined() == ft::is_lora_parameter(p.key()));
      if (p.value().grad().defined()) CHECK(p.value().grad().scalar_type() == torch::kFloat);
    }
  }
}

TEST_CASE("merging into a bf16 base makes fp32 weights, so the update is not rounded away", "[lora][storage]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  ft::hold_matrices_in(*model, torch::kBFloat16);
  const auto base = model->named_parameters()["model.layers.0.self_attn.q_proj.weight"].to(torch::kFloat);
  ft::attach_lora(*model, every_projection(*model), 1);
  set_adapters(*model);
  const auto delta = ft::lora_adapters(*model).front().adapter->delta_weight();
  ft::merge_lora(*model);
  const auto merged = model->named_parameters()["model.layers.0.self_attn.q_proj.weight"];
  CHECK(merged.scalar_type() == torch::kFloat);
  CHECK(torch::allclose(merged, base + delta, 0, 1e-7));
}

TEST_CASE("LoRA on a bf16 checkpoint keeps its base in bf16; full fine-tuning trains fp32 weights", "[lora][storage][setup]") {
  ft::testing::TempFolder dir;
  const auto folder = bf16_copy(fixture("tiny-llama"), dir.path() / "bf16-llama");
  const auto training = ft::testing::write_copy_data(dir, "train.jsonl", 40);
  for (const char* method : {"lora", "full"}) {
    INFO(method);
    const auto request = ft::parse_training_request(
        {{"model", folder.string()}, {"training_file", training.string()}, {"seed", 3}, {"method", method}});
    const auto setup = ft::prepare_training(request, torch::kCPU);
    const auto embedding = setup.model->named_parameters()["model.embed_tokens.weight"];
    CHECK(embedding.scalar_type() == (std::string(method) == "lora" ? torch::kBFloat16 : torch::kFloat));
    CHECK(ft::has_lora(*setup.model) == (std::string(method) == "lora"));
    const auto& memory = setup.plan.at("estimated_memory_bytes").reason;
    if (std::string(method) == "lora") CHECK_THAT(memory, Catch::Matchers::StartsWith("2 bytes x"));
  }
}
