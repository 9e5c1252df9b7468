// Checkpoints inside an epoch: a run resumed from one continues exactly, the newest three are
// kept with the last epoch's, and a run that keeps its best epoch keeps that one too.
#include "engine/formats/checkpoint_reader.h"
#include "engine/training/trainer.h"
#include "engine/training/training_checkpoint.h"
#include "tests/catch.h"
#include "tests/copy_task.h"
#include "tests/temp_folder.h"

#include <set>

namespace fs = std::filesystem;

namespace {

fs::path tiny_llama() { return fs::path(FT_FIXTURES) / "hf" / "tiny-llama"; }

// Trains until the end, or until `stop_after` steps when it is given (cancelled there).
std::vector<ft::StepMetrics> train(ft::Trainer& trainer, std::optional<int64_t> stop_after = std::nullopt,
                                   std::function<void(const ft::SavedCheckpoint&)> on_checkpoint = {}) {
  std::vector<ft::StepMetrics> steps;
  std::atomic<bool> cancel{false};
  ft::TrainingCallbacks callbacks;
  callbacks.on_step = [&](const ft::StepMetrics& m) {
    steps.push_back(m);
    if (stop_after && m.step == *stop_after) cancel = true;
  };
  callbacks.on_checkpoint = on_checkpoint;
  callbacks.cancel = &cancel;
  trainer.run(callbacks);
  return steps;
}

// Steps of 2 examples (one micro-batch), a checkpoint every `interval` steps.
ft::TrainingOptions options_for(int64_t n_epochs, int64_t interval, double learning_rate, uint64_t seed) {
  auto options = ft::testing::copy_task_training_options(learning_rate, seed);
  options.n_epochs = n_epochs;
  options.batch_size = 2;
  options.micro_batch_size = 2;
  options.checkpoint_interval_steps = interval;
  return options;
}

std::set<std::string> folder_names(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("a run resumed from a checkpoint inside an epoch continues exactly", "[trainer][checkpoint]") {
  auto tokenizer = ft::Tokenizer::load(tiny_llama() / "tokenizer.model");
  const auto task = ft::testing::make_copy_task(tokenizer, 26, 0, 3);
  auto options = options_for(1, 5, 3e-3, 9);  // 13 steps: checkpoints at 5 and 10, and the epoch's at 13
  options.warmup_steps = 3;

  ft::Trainer straight(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, {}, {});
  const auto all_steps = train(straight);
  REQUIRE(all_steps.size() == 13);

  ft::testing::TempFolder dir;
  {
    ft::Trainer interrupted(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, {}, dir.path());
    std::vector<int64_t> saved_at;
    train(interrupted, 8, [&](const ft::SavedCheckpoint& c) { saved_at.push_back(c.position.step); });
    CHECK(saved_at == std::vector<int64_t>{5});
  }
  const auto latest = ft::TrainingCheckpoints::latest(dir.path());
  REQUIRE(latest == dir / "step-00000005");
  CHECK(ft::TrainingCheckpoints::position_of(*latest).completed_epochs == 0);

  ft::Trainer resumed(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, {}, dir.path());
  resumed.resume_from(*latest);
  CHECK(resumed.completed_steps() == 5);
  const auto rest = train(resumed);
  REQUIRE(rest.size() == 8);
  for (size_t i = 0; i < rest.size(); ++i) {
    const auto &a = all_steps[5 + i], &b = rest[i];
    INFO("step " << a.step);
    CHECK(b.step == a.step);
    CHECK(b.epoch == 1);
    CHECK(b.train_loss == Approx(a.train_loss).epsilon(1e-6));
    CHECK(b.learning_rate == a.learning_rate);
    CHECK(b.tokens_seen == a.tokens_seen);  // the same examples, in the same order
    CHECK(b.examples_seen == a.examples_seen);
  }
  auto weights = resumed.model().named_parameters();
  for (const auto& p : straight.model().named_parameters()) {
    CHECK((p.value() - weights[p.key()]).abs().max().item<double>() <= 1e-6);
  }
}

TEST_CASE("the newest three checkpoints are kept, and the last epoch's", "[trainer][checkpoint]") {
  auto tokenizer = ft::Tokenizer::load(tiny_llama() / "tokenizer.model");
  const auto task = ft::testing::make_copy_task(tokenizer, 8, 0, 4);
  const auto options = options_for(2, 1, 1e-3, 2);  // 4 steps an epoch, a checkpoint after each
  ft::testing::TempFolder dir;
  ft::Trainer trainer(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, {}, dir.path());
  std::set<std::string> after_step_7;
  train(trainer, std::nullopt, [&](const ft::SavedCheckpoint& c) {
    CHECK(c.epoch_end == (c.position.step % 4 == 0));
    if (c.position.step == 7) after_step_7 = folder_names(dir.path());
  });
  CHECK(after_step_7 == std::set<std::string>{"epoch-0001", "step-00000005", "step-00000006", "step-00000007"});
  CHECK(folder_names(dir.path()) == std::set<std::string>{"step-00000006", "step-00000007", "epoch-0002"});
  CHECK(ft::TrainingCheckpoints::latest(dir.path()) == dir / "epoch-0002");
}

TEST_CASE("a run that keeps its best epoch stops 2 epochs after it, keeps its checkpoint and resumes with it",
          "[trainer][checkpoint]") {
  auto tokenizer = ft::Tokenizer::load(tiny_llama() / "tokenizer.model");
  const auto task = ft::testing::make_copy_task(tokenizer, 8, 4, 5);
  // A rate far below what moves an fp32 weight: every epoch scores exactly as the first, so the
  // first stays the best (a later one must be lower to replace it) and the run stops after the third.
  auto options = options_for(6, 0, 1e-30, 3);  // 4 steps an epoch, checkpoints at epoch ends
  options.keep_best_epoch = true;
  options.early_stopping_epochs = 2;
  options.keep_checkpoints = 1;
  ft::testing::TempFolder straight_dir, resumed_dir;
  ft::Trainer straight(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, task.held_out,
                       straight_dir.path());
  const auto steps = train(straight);
  CHECK(steps.size() == 12);
  CHECK(straight.position().completed_epochs == 3);
  CHECK(straight.position().best_epoch == 1);
  CHECK(straight.position().best_valid_loss == Approx(straight.evaluate(task.held_out, 0.0).completion_loss));
  // The newest checkpoint, and the best epoch's besides.
  CHECK(folder_names(straight_dir.path()) == std::set<std::string>{"epoch-0001", "epoch-0003"});
  CHECK(ft::TrainingCheckpoints::of_epoch(straight_dir.path(), 1) == straight_dir / "epoch-0001");
  CHECK_FALSE(ft::TrainingCheckpoints::of_epoch(straight_dir.path(), 2));

  {  // Stopped after epoch 2, whose checkpoint records epoch 1 as the best.
    ft::Trainer interrupted(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, task.held_out,
                            resumed_dir.path());
    train(interrupted, 8);
  }
  const auto latest = ft::TrainingCheckpoints::latest(resumed_dir.path());
  REQUIRE(latest == resumed_dir / "epoch-0002");
  const auto recorded = ft::TrainingCheckpoints::position_of(*latest);
  CHECK(recorded.best_epoch == 1);
  CHECK(recorded.best_valid_loss == straight.position().best_valid_loss);
  ft::Trainer resumed(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, task.held_out,
                      resumed_dir.path());
  resumed.resume_from(*latest);
  CHECK(train(resumed).size() == 4);  // epoch 3, then it stops as the straight run did
  CHECK(resumed.position().best_epoch == 1);
  CHECK(resumed.position().completed_epochs == 3);
}
