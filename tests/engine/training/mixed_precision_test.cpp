// bf16 autocast against fp32: the same run, the same loss curve within 1%.
#include "engine/formats/checkpoint_reader.h"
#include "engine/training/mixed_precision.h"
#include "engine/training/trainer.h"
#include "tests/catch.h"
#include "tests/copy_task.h"

#include <ATen/autocast_mode.h>

namespace fs = std::filesystem;

namespace {

const fs::path kLlama = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";

std::vector<double> losses_of_run(ft::Precision precision) {
  auto model = ft::load_causal_lm(kLlama);
  const auto tokenizer = ft::Tokenizer::load_folder(kLlama);
  auto task = ft::testing::make_copy_task(tokenizer, 160, 0, 5);
  auto options = ft::testing::copy_task_training_options(3e-3, 1);
  options.n_epochs = 5;  // 10 steps of 16 examples per epoch: 50 steps
  options.precision = precision;
  ft::Trainer trainer(model, tokenizer, options, std::move(task.training), {}, {});
  std::vector<double> losses;
  ft::TrainingCallbacks callbacks;
  callbacks.on_step = [&](const ft::StepMetrics& m) { losses.push_back(m.train_loss); };
  trainer.run(callbacks);
  return losses;
}

}  // namespace

TEST_CASE("precision names parse and print; other names are refused by parameter", "[precision]") {
  CHECK(ft::parse_precision("bf16", "precision") == ft::Precision::bf16);
  CHECK(std::string(ft::to_string(ft::parse_precision("fp32", "precision"))) == "fp32");
  CHECK_THROWS_WITH(ft::parse_precision("fp16", "hyperparameters.precision"),
                    Catch::Matchers::Contains("hyperparameters.precision must be"));
}

TEST_CASE("an autocast scope turns bf16 products on and restores the state it found", "[precision]") {
  const auto a = torch::randn({4, 8}), b = torch::randn({8, 3});
  CHECK_FALSE(at::autocast::is_autocast_enabled(at::kCPU));
  {
    ft::AutocastScope scope(torch::kCPU, ft::Precision::bf16);
    CHECK(torch::matmul(a, b).scalar_type() == torch::kBFloat16);
  }
  CHECK_FALSE(at::autocast::is_autocast_enabled(at::kCPU));
  ft::AutocastScope fp32(torch::kCPU, ft::Precision::fp32);
  CHECK(torch::matmul(a, b).scalar_type() == torch::kFloat);
}

TEST_CASE("training under bf16 autocast follows fp32's loss curve within 1% over 50 steps", "[precision][trainer]") {
  const auto fp32 = losses_of_run(ft::Precision::fp32);
  const auto bf16 = losses_of_run(ft::Precision::bf16);
  REQUIRE(fp32.size() == 50);
  REQUIRE(bf16.size() == 50);
  CHECK(fp32.back() < 0.5 * fp32.front());  // the run learns, so the curve is worth comparing
  for (size_t i = 0; i < fp32.size(); ++i) {
    INFO("step " << i + 1 << ": fp32 " << fp32[i] << ", bf16 " << bf16[i]);
    CHECK(std::abs(bf16[i] - fp32[i]) <= 0.01 * fp32[i]);
  }
}
