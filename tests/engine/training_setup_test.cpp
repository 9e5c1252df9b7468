#include "engine/core/error.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/models/text_generator.h"
#include "engine/training_setup.h"
#include "tests/catch.h"
#include "tests/copy_data.h"
#include "tests/temp_folder.h"

#include <fstream>

namespace fs = std::filesystem;

namespace {

const fs::path kLlama = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";

ft::TrainingRequest request_for(const std::string& model, const fs::path& training) {
  return ft::parse_training_request({{"model", model}, {"training_file", training.string()}, {"seed", 3}});
}

}  // namespace

TEST_CASE("a CPU plan for tiny-llama splits the batch into micro-batches that fit the machine", "[setup]") {
  ft::testing::TempFolder dir;
  auto request = request_for(kLlama.string(), ft::testing::write_copy_data(dir, "train.jsonl", 3000));
  auto setup = ft::prepare_training(request, torch::kCPU);
  const auto& plan = setup.plan;
  CHECK(plan.integer("batch_size") == 6);  // 0.2% of 3000
  CHECK(plan.integer("micro_batch_size") * plan.integer("gradient_accumulation_steps") == plan.integer("batch_size"));
  CHECK(plan.integer("estimated_memory_bytes") > 0);
  CHECK(static_cast<uint64_t>(plan.integer("estimated_memory_bytes")) < setup.machine.available_memory_bytes);
  CHECK(plan.at("estimated_seconds").value.is_number());  // measured, not a constant
  auto described = ft::describe_plan(setup, torch::kCPU);
  CHECK(described["data"]["training"]["examples"] == 3000);
  CHECK(described["hyperparameters"]["learning_rate"]["source"] == "auto");
  auto options = ft::training_options(plan);
  CHECK(options.batch_size == 6);
  CHECK(options.seed == 3);
}

TEST_CASE("planning reports which request field is wrong", "[setup]") {
  ft::testing::TempFolder dir;
  auto training = ft::testing::write_copy_data(dir, "train.jsonl", 10);
  auto param_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ft::Error& e) {
      return e.param();
    }
    return std::string("no error");
  };
  CHECK(param_of([&] { ft::prepare_training(request_for((dir / "nowhere").string(), training), torch::kCPU); }) == "model");
  CHECK(param_of([&] { ft::prepare_training(request_for(kLlama.string(), dir / "missing.jsonl"), torch::kCPU); }) == "training_file");
  std::ofstream(dir / "bad.jsonl") << "{\"prompt\": \"a\"}\n";
  CHECK(param_of([&] { ft::prepare_training(request_for(kLlama.string(), dir / "bad.jsonl"), torch::kCPU); }) == "training_file");
  CHECK(param_of([&] { ft::parse_training_request({{"model", "m"}}); }) == "training_file");
  CHECK(param_of([&] { ft::parse_training_request({{"model", "m"}, {"training_file", "t"}, {"method", "dpo"}}); }) == "method");
  auto with_bad_epochs = ft::parse_training_request(
      {{"model", kLlama.string()}, {"training_file", training.string()}, {"hyperparameters", {{"n_epochs", 0}}}});
  CHECK(param_of([&] { ft::prepare_training(with_bad_epochs, torch::kCPU); }) == "hyperparameters.n_epochs");
}

TEST_CASE("a named architecture is trained from scratch with pre-training rules", "[setup]") {
  ft::testing::TempFolder dir;
  auto setup = ft::prepare_training(request_for("tiny-gpt2", ft::testing::write_copy_data(dir, "train.jsonl", 50)), torch::kCPU);
  CHECK_FALSE(setup.pretrained);
  CHECK(setup.plan.number("learning_rate_multiplier") == 1.0);
  CHECK_THAT(setup.plan.at("learning_rate_multiplier").reason, Catch::Matchers::Contains("freshly initialised"));
}

TEST_CASE("generation continues a prompt and stops at the token budget or EOS", "[setup]") {
  auto model = ft::load_causal_lm(kLlama);
  auto tokenizer = ft::Tokenizer::load(kLlama / "tokenizer.model");
  ft::GenerationOptions greedy;
  greedy.max_tokens = 5;
  greedy.temperature = 0;
  auto a = ft::generate_text(*model, tokenizer, "The licensee may", greedy);
  auto b = ft::generate_text(*model, tokenizer, "The licensee may", greedy);
  CHECK(a.tokens == b.tokens);
  CHECK(a.tokens.size() <= 5);
  CHECK((a.finish_reason == "length") == (a.tokens.size() == 5));
  ft::GenerationOptions sampled;
  sampled.max_tokens = 8;
  sampled.seed = 4;
  sampled.top_p = 0.9;
  CHECK(ft::generate_text(*model, tokenizer, "copy", sampled).tokens ==
        ft::generate_text(*model, tokenizer, "copy", sampled).tokens);
}
