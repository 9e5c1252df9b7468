#include "engine/training/learning_rate_search.h"

#include "engine/formats/checkpoint_reader.h"
#include "tests/catch.h"
#include "tests/copy_task.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace fs = std::filesystem;

namespace {

fs::path tiny_llama() { return fs::path(FT_FIXTURES) / "hf" / "tiny-llama"; }

std::string text_of(const ft::TokenizedExample& e) {
  std::string t;
  for (const auto token : e.tokens) t += std::to_string(token) + " ";
  return t;
}

std::vector<torch::Tensor> weights_of(ft::CausalLM& model) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : model.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

bool same_weights(ft::CausalLM& model, const std::vector<torch::Tensor>& before) {
  const auto now = model.parameters();
  for (size_t i = 0; i < before.size(); ++i) {
    if (!torch::equal(now[i], before[i])) return false;
  }
  return true;
}

// The tiny-llama fixture with its starting weights, to compare with after a probe.
struct ProbedModel {
  ft::Tokenizer tokenizer = ft::Tokenizer::load(tiny_llama() / "tokenizer.model");
  std::shared_ptr<ft::CausalLM> model = ft::load_causal_lm(tiny_llama());
  std::vector<torch::Tensor> before = weights_of(*model);
};

}  // namespace

TEST_CASE("The probe holds out examples it never trains on, spread over the file", "[probe]") {
  auto tokenizer = ft::Tokenizer::load(tiny_llama() / "tokenizer.model");
  const auto task = ft::testing::make_copy_task(tokenizer, 30, 10, 3);
  ft::LearningRateProbeSettings settings;
  settings.held_out = 6;
  settings.trial_examples = 20;
  const auto from_training = ft::learning_rate_search_data(task.training, {}, settings);
  REQUIRE(from_training.held_out.size() == 6);
  REQUIRE(from_training.training.size() == 20);
  std::set<std::string> trained;
  for (const auto& e : from_training.training) trained.insert(text_of(e));
  CHECK(trained.size() == 20);
  for (const auto& e : from_training.held_out) CHECK(trained.count(text_of(e)) == 0);
  // Spread: the set-aside examples come from every part of the file, its first and last fifths included.
  CHECK(text_of(from_training.held_out.front()) == text_of(task.training[2]));
  CHECK(text_of(from_training.held_out.back()) == text_of(task.training[27]));
  // With a validation file the held-out examples are its first, and every training example may train.
  settings.trial_examples = 30;
  const auto with_validation = ft::learning_rate_search_data(task.training, task.held_out, settings);
  REQUIRE(with_validation.held_out.size() == 6);
  CHECK(text_of(with_validation.held_out[0]) == text_of(task.held_out[0]));
  CHECK(with_validation.training.size() == 30);
}

TEST_CASE("Trials walk to the best rate and leave the weights as they were", "[probe][slow]") {
  ProbedModel probed;
  auto& [tokenizer, model, before] = probed;
  const auto task = ft::testing::make_copy_task(tokenizer, 48, 16, 5);
  ft::LearningRateSearch search;
  search.run = ft::testing::copy_task_training_options(1e-5, 1);  // far below what the task needs
  search.run.n_epochs = 2;
  search.run.warmup_steps = 1;
  search.run_total_steps = 6;
  search.trials = 6;
  const ft::LearningRateSearchData data{task.training, task.held_out};
  std::vector<ft::LearningRateTrial> reported;
  const auto trials = ft::search_learning_rate(model, tokenizer, search, data, nullptr,
                                               [&](const ft::LearningRateTrial& t) { reported.push_back(t); });
  REQUIRE(trials);
  REQUIRE(trials->size() == 6);
  CHECK(reported.size() == 6);
  // The rule's rate, 4x above and below, then upwards while the best is the highest.
  CHECK((*trials)[0].learning_rate == 1e-5);
  CHECK((*trials)[1].learning_rate == 4e-5);
  CHECK((*trials)[2].learning_rate == 2.5e-6);
  CHECK((*trials)[3].learning_rate == 1.6e-4);
  for (const auto& t : *trials) {
    INFO(t.learning_rate << ": " << t.held_out_loss);
    CHECK(std::log2(t.learning_rate / 1e-5) == Approx(std::round(std::log2(t.learning_rate / 1e-5))));
    CHECK(std::isfinite(t.held_out_loss));
    CHECK(t.scored_epoch == 2);  // after its last epoch
  }
  // More learning helps at these rates: the highest of the first four beats the rule's.
  CHECK((*trials)[3].held_out_loss < (*trials)[0].held_out_loss);
  CHECK(same_weights(*model, before));

  // With longer trials: two more, at the best rate and half of it, over the longer epochs.
  search.longer_epochs = 4;
  const auto with_longer = ft::search_learning_rate(model, tokenizer, search, data, nullptr);
  REQUIRE(with_longer);
  REQUIRE(with_longer->size() == 8);
  const auto best = std::min_element(with_longer->begin(), with_longer->begin() + 6,
                                     [](const auto& a, const auto& b) { return a.held_out_loss < b.held_out_loss; });
  CHECK((*with_longer)[6].n_epochs == 4);
  CHECK((*with_longer)[6].learning_rate == best->learning_rate);
  CHECK((*with_longer)[7].learning_rate == best->learning_rate / 2);
  for (size_t i = 0; i < 6; ++i) CHECK((*with_longer)[i].n_epochs == 2);
  CHECK(same_weights(*model, before));
}

TEST_CASE("With epoch selection each trial counts its best epoch, as the run will", "[probe]") {
  ProbedModel probed;
  auto& [tokenizer, model, before] = probed;
  const auto task = ft::testing::make_copy_task(tokenizer, 16, 8, 5);
  ft::LearningRateSearch search;
  search.run = ft::testing::copy_task_training_options(3e-3, 1);
  search.run.n_epochs = 4;
  search.run.warmup_steps = 0;
  search.run.keep_best_epoch = true;
  search.run.early_stopping_epochs = 2;
  search.run_total_steps = 4;
  search.trials = 3;
  const ft::LearningRateSearchData data{task.training, task.held_out};
  const auto trials = ft::search_learning_rate(model, tokenizer, search, data, nullptr);
  REQUIRE(trials);
  REQUIRE(trials->size() == 3);
  CHECK(same_weights(*model, before));
  // Each trial's score is what a run of the same options reports as its best epoch.
  for (const auto& t : *trials) {
    INFO(t.learning_rate << ": " << t.held_out_loss << " after epoch " << t.scored_epoch);
    auto options = search.run;
    options.learning_rate = t.learning_rate;
    options.eval_interval_steps = 0;
    ft::Trainer run(ft::load_causal_lm(tiny_llama()), tokenizer, options, task.training, task.held_out, {});
    run.run({});
    CHECK(t.scored_epoch == run.position().best_epoch);
    CHECK(t.held_out_loss == Approx(run.position().best_valid_loss).epsilon(1e-6));
    CHECK(t.scored_epoch >= 1);
    CHECK(t.scored_epoch <= 4);
  }
}

TEST_CASE("A probe cancelled after its first trial stops there, and the weights are as they were", "[probe]") {
  ProbedModel probed;
  const auto task = ft::testing::make_copy_task(probed.tokenizer, 16, 4, 5);
  ft::LearningRateSearch search;
  search.run = ft::testing::copy_task_training_options(1e-3, 1);
  search.run.n_epochs = 1;
  std::atomic<bool> cancel{false};
  int trials = 0;
  const auto outcome = ft::search_learning_rate(probed.model, probed.tokenizer, search, {task.training, task.held_out}, &cancel,
                                                [&](const ft::LearningRateTrial&) {
                                                  ++trials;
                                                  cancel = true;
                                                });
  CHECK_FALSE(outcome);
  CHECK(trials == 1);
  CHECK(same_weights(*probed.model, probed.before));
}
