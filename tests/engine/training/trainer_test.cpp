#include "engine/core/error.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/training/next_token_loss.h"
#include "engine/training/trainer.h"
#include "engine/training/weighted_token_loss.h"
#include "tests/catch.h"
#include "tests/copy_task.h"
#include "tests/temp_folder.h"

namespace fs = std::filesystem;
using ft::testing::make_copy_task;

namespace {

fs::path fixture(const std::string& name) { return fs::path(FT_FIXTURES) / "hf" / name; }

ft::TrainingOptions learning_options(uint64_t seed) { return ft::testing::copy_task_training_options(3e-3, seed); }

std::vector<ft::StepMetrics> run_to_end(ft::Trainer& trainer, const std::atomic<bool>* cancel = nullptr,
                                        std::function<void(int64_t)> on_checkpoint = {}) {
  std::vector<ft::StepMetrics> steps;
  ft::TrainingCallbacks callbacks;
  callbacks.on_step = [&](const ft::StepMetrics& m) { steps.push_back(m); };
  callbacks.cancel = cancel;
  if (on_checkpoint) callbacks.on_checkpoint = [&](const ft::SavedCheckpoint& saved) { on_checkpoint(saved.position.completed_epochs); };
  trainer.run(callbacks);
  return steps;
}

}  // namespace

TEST_CASE("fine-tuning learns a task that needs generalisation", "[trainer][slow]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    auto tokenizer = ft::Tokenizer::load(fixture(name) / "tokenizer.model");
    auto task = make_copy_task(tokenizer, 384, 64, 7);
    ft::Trainer trainer(ft::load_causal_lm(fixture(name)), tokenizer, learning_options(1), task.training, {}, {});
    auto steps = run_to_end(trainer);
    auto held_out = trainer.evaluate(task.held_out);
    INFO(name << ": first loss " << steps.front().train_loss << ", last " << steps.back().train_loss
              << ", held-out accuracy " << held_out.mean_token_accuracy);
    CHECK(held_out.mean_token_accuracy >= 0.95);
  }
}

TEST_CASE("prompt_loss_weight 0 removes prompt tokens from loss and gradient; 1 counts them fully", "[trainer]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  auto example = ft::render_example(tokenizer, ft::PromptCompletion{"The licensee may copy", "and distribute"});
  auto ids = torch::tensor(example.tokens).unsqueeze(0);
  // Labels for the reference loss: every token, or only completion tokens (-100 elsewhere).
  auto completion_labels = ids.clone();
  for (size_t t = 0; t < example.tokens.size(); ++t) {
    if (!example.completion[t]) completion_labels[0][t] = ft::kIgnoreLabel;
  }
  auto gradients = [&](const torch::Tensor& loss) {
    model->zero_grad();
    loss.backward();
    std::vector<torch::Tensor> g;
    for (const auto& p : model->parameters()) g.push_back(p.grad().clone());
    return g;
  };
  for (auto [weight, labels] : {std::pair{0.0, completion_labels}, std::pair{1.0, ids}}) {
    auto batch = ft::pack_examples({&example}, 64, weight);
    auto sums = ft::weighted_token_loss(model->forward(ft::ModelInput(batch.input_ids, batch.position_ids, batch.segment_ids)), batch);
    auto ours = sums.weighted_loss / sums.weight;
    auto reference = ft::next_token_loss(model->forward(ft::ModelInput(ids)), labels);
    CHECK(ours.item<double>() == Approx(reference.item<double>()).epsilon(1e-6));
    auto g_ours = gradients(ours), g_reference = gradients(reference);
    for (size_t i = 0; i < g_ours.size(); ++i) CHECK(torch::allclose(g_ours[i], g_reference[i], 1e-5, 1e-7));
  }
}

TEST_CASE("packed examples give the same loss as examples run alone", "[trainer]") {
  auto model = ft::load_causal_lm(fixture("tiny-gpt2"));
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-gpt2") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 5, 0, 3);
  std::vector<const ft::TokenizedExample*> all;
  double alone = 0, weight = 0;
  for (const auto& e : task.training) {
    all.push_back(&e);
    auto b = ft::pack_examples({&e}, 64, 0.5);
    auto s = ft::weighted_token_loss(model->forward(ft::ModelInput(b.input_ids, b.position_ids, b.segment_ids)), b);
    alone += s.weighted_loss.item<double>();
    weight += s.weight;
  }
  auto packed = ft::pack_examples(all, 64, 0.5);
  CHECK(packed.input_ids.size(0) < static_cast<int64_t>(all.size()));  // several examples share a row
  auto s = ft::weighted_token_loss(model->forward(ft::ModelInput(packed.input_ids, packed.position_ids, packed.segment_ids)), packed);
  CHECK(s.weighted_loss.item<double>() == Approx(alone).epsilon(1e-5));
  CHECK(s.weight == Approx(weight));
}

TEST_CASE("a run resumed from its checkpoint ends as if never interrupted", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 24, 0, 11);
  auto options = learning_options(5);
  options.n_epochs = 2;
  options.batch_size = 4;
  options.micro_batch_size = 3;  // uneven: the last micro-batch of each step is smaller

  ft::Trainer straight(ft::load_causal_lm(fixture("tiny-llama")), tokenizer, options, task.training, {}, {});
  const auto all_steps = run_to_end(straight);
  REQUIRE(all_steps.size() == 12);

  ft::testing::TempFolder dir;
  {
    std::atomic<bool> cancel{false};
    ft::Trainer first_half(ft::load_causal_lm(fixture("tiny-llama")), tokenizer, options, task.training, {}, dir.path());
    const auto steps = run_to_end(first_half, &cancel, [&](int64_t) { cancel = true; });
    CHECK(steps.size() == 6);
  }
  // A new model, tokenizer and trainer, as a new process would build them from disk.
  auto checkpoint = ft::TrainingCheckpoints::latest(dir.path());
  REQUIRE(checkpoint);
  auto reloaded_tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  ft::Trainer second_half(ft::load_causal_lm(fixture("tiny-llama")), reloaded_tokenizer, options, task.training, {}, dir.path());
  second_half.resume_from(*checkpoint);
  const auto resumed_steps = run_to_end(second_half);
  REQUIRE(resumed_steps.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    const auto &a = all_steps[6 + i], &b = resumed_steps[i];
    CHECK(a.step == b.step);
    CHECK(a.train_loss == Approx(b.train_loss).epsilon(1e-6));
    CHECK(a.train_mean_token_accuracy == b.train_mean_token_accuracy);
    CHECK(a.learning_rate == b.learning_rate);
    CHECK(a.tokens_seen == b.tokens_seen);
    CHECK(a.examples_seen == b.examples_seen);
  }
  auto resumed = second_half.model().named_parameters();
  for (const auto& p : straight.model().named_parameters()) {
    CHECK((p.value() - resumed[p.key()]).abs().max().item<double>() <= 1e-6);
  }
}

TEST_CASE("the same seed gives identical losses; another seed differs", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-gpt2") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 32, 0, 5);
  auto losses = [&](uint64_t seed) {
    auto options = learning_options(seed);
    options.n_epochs = 2;
    options.batch_size = 8;
    ft::Trainer trainer(ft::load_causal_lm(fixture("tiny-gpt2")), tokenizer, options, task.training, {}, {});
    std::vector<double> out;
    for (const auto& m : run_to_end(trainer)) out.push_back(m.train_loss);
    return out;
  };
  const auto a = losses(1), b = losses(1), c = losses(2);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("a non-finite loss stops the run naming the step", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 8, 0, 5);
  auto options = learning_options(1);
  options.learning_rate = 1e30;  // the first update destroys the weights
  options.warmup_steps = 0;
  options.max_grad_norm = 1e30;
  options.batch_size = 4;
  ft::Trainer trainer(ft::load_causal_lm(fixture("tiny-llama")), tokenizer, options, task.training, {}, {});
  try {
    run_to_end(trainer);
    FAIL("training did not stop");
  } catch (const ft::Error& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("step 2: the training loss became"));
  }
}

TEST_CASE("validation is evaluated at the interval and at the end of each epoch", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 16, 4, 9);
  auto options = learning_options(1);
  options.n_epochs = 2;
  options.batch_size = 4;
  options.eval_interval_steps = 3;
  ft::Trainer trainer(ft::load_causal_lm(fixture("tiny-llama")), tokenizer, options, task.training, task.held_out, {});
  std::vector<int64_t> evaluated;
  for (const auto& m : run_to_end(trainer)) {
    if (m.valid_loss) evaluated.push_back(m.step);
  }
  CHECK(evaluated == std::vector<int64_t>{3, 4, 6, 8});
}

TEST_CASE("only the newest three epoch checkpoints are kept", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-gpt2") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 8, 0, 5);
  auto options = learning_options(1);
  options.n_epochs = 4;
  options.batch_size = 8;
  ft::testing::TempFolder dir;
  ft::Trainer trainer(ft::load_causal_lm(fixture("tiny-gpt2")), tokenizer, options, task.training, {}, dir.path());
  run_to_end(trainer);
  CHECK_FALSE(fs::exists(dir / "epoch-0001"));
  for (const char* kept : {"epoch-0002", "epoch-0003", "epoch-0004"}) {
    CHECK(fs::exists(dir / kept / "model" / "model.safetensors"));
    CHECK(fs::exists(dir / kept / "optimizer.safetensors"));
  }
  CHECK(ft::TrainingCheckpoints::latest(dir.path()) == dir / "epoch-0004");
  // Each checkpoint's model is a Hugging Face folder the engine loads.
  CHECK(ft::load_causal_lm(dir / "epoch-0004" / "model")->config().vocab_size == 512);
}

TEST_CASE("evaluation leaves the model in the mode it found", "[trainer]") {
  auto tokenizer = ft::Tokenizer::load(fixture("tiny-llama") / "tokenizer.model");
  auto task = make_copy_task(tokenizer, 16, 8, 3);
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  ft::Trainer trainer(model, tokenizer, learning_options(1), task.training, {}, {});
  model->eval();
  trainer.evaluate(task.held_out);
  CHECK(!model->is_training());
  model->train();
  trainer.evaluate(task.held_out);
  CHECK(model->is_training());
}
