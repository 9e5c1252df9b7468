// A small task that needs generalisation rather than memorisation: copy a random sequence of
// letters. Held-out examples are sequences the model never saw, so only a model that learned
// to copy (attend to the matching earlier position) gets them right.
#pragma once

#include "engine/data/example_template.h"
#include "engine/training/trainer.h"

#include <random>
#include <set>
#include <string>
#include <vector>

namespace ft::testing {

struct CopyTask {
  std::vector<TokenizedExample> training, held_out;
};

inline CopyTask make_copy_task(const Tokenizer& tokenizer, int training_examples, int held_out_examples,
                               uint64_t seed, int length = 4) {
  std::mt19937_64 random(seed);
  std::set<std::string> seen;
  CopyTask task;
  while (static_cast<int>(task.training.size() + task.held_out.size()) < training_examples + held_out_examples) {
    std::string letters;
    for (int i = 0; i < length; ++i) letters += std::string(i ? " " : "") + static_cast<char>('a' + random() % 8);
    if (!seen.insert(letters).second) continue;  // held-out prompts are never in the training set
    auto example = render_example(tokenizer, PromptCompletion{"copy: " + letters + " =", letters});
    (static_cast<int>(task.training.size()) < training_examples ? task.training : task.held_out).push_back(example);
  }
  return task;
}

// Options under which the tiny fixtures learn the copy task in a few seconds: 12 epochs of
// batches of 16 (micro-batches of 8), 10 warm-up steps, prompt tokens weighted 0.01.
inline TrainingOptions copy_task_training_options(double learning_rate, uint64_t seed) {
  TrainingOptions o;
  o.n_epochs = 12;
  o.batch_size = 16;
  o.micro_batch_size = 8;
  o.max_seq_len = 64;
  o.learning_rate = learning_rate;
  o.warmup_steps = 10;
  o.prompt_loss_weight = 0.01;
  o.seed = seed;
  return o;
}

}  // namespace ft::testing
