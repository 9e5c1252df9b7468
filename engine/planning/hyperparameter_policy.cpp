#include "engine/planning/hyperparameter_policy.h"

#include "engine/core/error.h"
#include "engine/data/epoch_order.h"
#include "engine/data/row_packing.h"
#include "engine/planning/checkpoint_interval.h"
#include "engine/planning/hyperparameter_limits.h"
#include "engine/planning/hyperparameter_request.h"
#include "engine/planning/learning_rate_probe.h"
#include "engine/planning/learning_rate_table.h"
#include "engine/planning/reason_numbers.h"
#include "engine/planning/training_memory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ft {
namespace {

using nlohmann::json;

// OpenAI cookbook, "Data preparation and analysis for chat model fine-tuning": aim for 3 epochs,
// but for at least 100 and at most 25000 example visits in all, within 1 to 25 epochs.
constexpr int64_t default_epochs = 3;
constexpr int64_t min_example_visits = 100;
constexpr int64_t max_example_visits = 25000;
constexpr int64_t max_default_epochs = 25;
// With a validation file the run scores every epoch anyway (trainer.h), so it can deliver the
// epoch that scored best rather than the last, as Hugging Face's Trainer does with
// load_best_model_at_end. The epochs can then be planned generously and the data decide: on this
// project's benchmark the best epoch was the last of the grid's 6 on every 300-example task, where
// the rule above gives 3 (docs/hyperparameters.md, "How good is auto").
constexpr int64_t selected_epochs_factor = 2;

// OpenAI legacy fine-tunes API: batch size about 0.2% of the examples (at most kMostBatchSize);
// prompt tokens weighted 0.01.
constexpr double default_prompt_loss_weight = 0.01;

// Training from scratch: Hoffmann et al. 2022 (Chinchilla) find about 20 tokens per parameter
// compute-optimal; epochs are capped at the most a request may ask for.
constexpr int64_t tokens_per_parameter = 20;
// Doubled, the rule's most (25) is still what a request may ask for.
static_assert(selected_epochs_factor * max_default_epochs <= kMostEpochs);

// Training from scratch, batch: GPT-3 (Brown et al. 2020, Table 2.1) pre-trained Small's 125M
// parameters with batches of 0.5M tokens, one token per 250 parameters; a freshly initialised model
// gets batches of that many tokens for its size, in whole examples of the data's mean length.
constexpr int64_t parameters_per_batch_token = 250;

// Warm-up shares of all steps: the 3% common in instruction tuning (Stanford Alpaca's
// warmup_ratio) for a pretrained model, 10% from random weights, whose first gradients are the
// largest and the least informative.
constexpr int64_t fine_tuning_warmup_percent = 3;
constexpr int64_t pretraining_warmup_percent = 10;

// Brown et al. 2020, Appendix B.
constexpr double weight_decay = 0.1;
constexpr double adam_beta1 = 0.9;
constexpr double adam_beta2 = 0.95;
constexpr double adam_epsilon = 1e-8;
constexpr double max_grad_norm = 1.0;

// Sequence lengths in multiples of 8 keep matrix shapes aligned for vector units and tensor
// cores at a cost of at most 7 padding tokens.
constexpr int64_t seq_len_multiple = 8;
// The estimate leaves a fifth of the memory for what it does not count: the allocator's
// fragmentation, the tokenized data, libtorch's workspaces and the rest of the process.
constexpr int64_t memory_budget_percent = 80;

// LoRA. Schulman et al. 2025 ("LoRA Without Regret", Thinking Machines Lab): LoRA on every
// layer, the MLP's included, matches full fine-tuning where attention-only LoRA falls behind;
// with the update scaled by alpha / r and alpha fixed at 32 the best learning rate hardly
// depends on the rank, and it is about 10 times full fine-tuning's.
constexpr double lora_alpha_default = 32;
constexpr double lora_learning_rate_factor = 10;
// Rank: enough capacity for the data. Allen-Zhu and Li 2024 ("Physics of Language Models:
// Part 3.3") measure about 2 bits of knowledge stored per parameter; this policy assumes a
// training token brings at most 1 bit the adapters must store, so r x (parameters per rank) x 2
// should reach the tokens of an epoch. Powers of two from 16 (PEFT's and QLoRA's common small
// ranks start there) to 256 (Schulman et al.'s largest SFT ranks).
constexpr int64_t lora_min_rank = 16;
constexpr int64_t lora_max_rank = 256;
constexpr int64_t bits_per_parameter = 2;
// Dettmers et al. 2023 (QLoRA), appendix: LoRA dropout 0.1 up to 13B parameters, 0.05 above.
constexpr int64_t lora_large_model_parameters = 20'000'000'000;
constexpr double lora_dropout_small = 0.1;
constexpr double lora_dropout_large = 0.05;

using reason::num;

std::string gib(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", double(bytes) / double(1ll << 30));
  return text;
}

// Three significant digits: more would be false precision, and the value then reads the same in
// the plan's JSON as in its reason.
double round_significant(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return std::strtod(text, nullptr);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// "1 epoch", "3 epochs".
std::string count(int64_t n, const std::string& noun, const std::string& nouns = "") {
  return num(n) + " " + (n == 1 ? noun : nouns.empty() ? noun + "s" : nouns);
}

ResolvedHyperparameter automatic(std::string name, json value, std::string reason) {
  return {std::move(name), std::move(value), HyperparameterSource::automatic, std::move(reason)};
}

ResolvedHyperparameter from_user(std::string name, json value, std::string reason) {
  return {std::move(name), std::move(value), HyperparameterSource::user, std::move(reason)};
}

// Ascending; micro-batches are divisors of the batch so that accumulation makes it up exactly.
std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) result.push_back(d);
  }
  return result;
}

// The largest of `sizes` (ascending) that `fits` accepts, or 0 when none does; `fits` must be
// monotone. The largest is tried first because it usually fits, then a binary search.
int64_t largest_fitting(const std::vector<int64_t>& sizes, const std::function<bool(int64_t)>& fits) {
  int64_t fails = static_cast<int64_t>(sizes.size()) - 1;
  if (fits(sizes[fails])) return sizes[fails];
  int64_t passes = -1;
  while (fails - passes > 1) {
    const int64_t middle = (passes + fails) / 2;
    if (fits(sizes[middle])) {
      passes = middle;
    } else {
      fails = middle;
    }
  }
  return passes < 0 ? 0 : sizes[passes];
}

ResolvedHyperparameter total_steps_entry(int64_t steps_per_epoch, int64_t epochs) {
  return automatic("total_steps", steps_per_epoch * epochs,
                   num(steps_per_epoch) + " steps per epoch x " + count(epochs, "epoch") + " = " + num(steps_per_epoch * epochs));
}

ResolvedHyperparameter warmup_steps_entry(int64_t total_steps, bool from_scratch) {
  const int64_t percent = from_scratch ? pretraining_warmup_percent : fine_tuning_warmup_percent;
  const int64_t steps = ceil_div(total_steps * percent, 100);
  const std::string why = from_scratch ? "a freshly initialised model warms up longer, as in pre-training: " : "";
  return automatic("warmup_steps", steps,
                   why + num(percent) + "% of " + num(total_steps) + " total steps is " + num(total_steps * percent / 100.0) +
                       ", rounded up: " + num(steps));
}

// `counted`: how the tokens of one epoch were counted.
ResolvedHyperparameter total_tokens_entry(int64_t per_epoch, int64_t epochs, const std::string& counted) {
  return automatic("total_tokens", per_epoch * epochs,
                   counted + " x " + count(epochs, "epoch") + " = " + num(per_epoch * epochs) + " training tokens");
}

class Planner {
 public:
  Planner(const HyperparameterRequest& request, const DatasetStatistics& data, const ModelSummary& model,
          const MachineSummary& machine, const DeviceProbes& probes, TrainingMethod method,
          const DatasetStatistics* validation)
      : request_(request),
        data_(data),
        model_(model),
        machine_(machine),
        probes_(probes),
        validation_(validation),
        method_(method) {}

  HyperparameterPlan plan() {
    add(precision());
    add(method());
    if (lora()) {
      add(lora_target_modules());
      add(lora_rank());
      add(lora_alpha());
      add(lora_dropout());
    }
    add(seed());
    if (probes_.ready_model) probes_.ready_model(plan_);
    add(epoch_selection());
    add(n_epochs());
    add(batch_size());
    add(learning_rate_multiplier());
    add(learning_rate());
    add(prompt_loss_weight());
    add(max_seq_len());
    add(micro_batch_size());
    add(gradient_accumulation_steps());
    add(steps_per_epoch());
    add(total_steps());
    add(warmup_steps());
    add(lr_schedule());
    add_optimizer_constants();
    add(total_tokens());
    add(estimated_memory_bytes());
    add(threads());
    time_run();
    add_learning_rate_probe();
    add(estimated_seconds());
    add(checkpoint_interval());
    return std::move(plan_);
  }

 private:
  void add(ResolvedHyperparameter entry) { plan_.add(std::move(entry)); }
  int64_t integer(const char* name) const { return plan_.integer(name); }
  bool from_scratch() const { return !model_.pretrained; }
  int64_t memory_budget() const {
    return static_cast<int64_t>(machine_.available_memory_bytes / 100 * memory_budget_percent);
  }

  bool lora() const { return plan_.text("method") == "lora"; }
  bool has_validation() const { return validation_ && validation_->examples > 0; }
  bool selects_best_epoch() const { return plan_.text("epoch_selection") == "best_validation"; }
  bool bf16() const { return plan_.text("precision") == "bf16"; }

  // ---- precision ----

  ResolvedHyperparameter precision() const {
    if (request_.precision) return from_user("precision", *request_.precision, "set by the user to " + *request_.precision);
    if (!machine_.native_bf16) {
      return automatic("precision", "fp32",
                       "fp32: this processor has no native bf16 products (no AVX512-BF16 or AMX), so bf16 would be "
                       "emulated, and slower");
    }
    const std::string where = machine_.gpu ? "the GPU computes bf16 products natively"
                                           : "this CPU has native bf16 products (AVX512-BF16 or AMX), 2 to 4 times as fast "
                                             "as fp32's";
    return automatic("precision", "bf16",
                     "bf16: " + where + "; matrix products and attention run in bf16 under autocast while weights, "
                     "gradients, AdamW moments and the loss stay fp32 (mixed precision, Micikevicius et al. 2018, with "
                     "bf16's fp32 exponent range so that no loss scaling is needed, Kalamkar et al. 2019)");
  }

  // ---- method and LoRA ----

  std::vector<std::string> projection_names(bool with_output_head) const {
    std::vector<std::string> names;
    for (const auto& p : model_.projections) {
      if (with_output_head || !p.output_head) names.push_back(p.name);
    }
    return names;
  }

  static std::string listed(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  }

  ResolvedHyperparameter lora_target_modules() const {
    const auto known = projection_names(true);
    if (request_.lora_target_modules) {
      for (const auto& name : *request_.lora_target_modules) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          throw Error(ErrorKind::invalid_argument,
                      "hyperparameters.lora_target_modules names \"" + name + "\", which is not a projection of this model (" +
                          listed(known) + ")",
                      "hyperparameters.lora_target_modules");
        }
      }
      return from_user("lora_target_modules", *request_.lora_target_modules,
                       "set by the user to " + listed(*request_.lora_target_modules));
    }
    const auto names = projection_names(false);
    return automatic("lora_target_modules", names,
                     "every projection of attention and MLP (" + listed(names) +
                         "): LoRA on all layers, the MLP's included, matches full fine-tuning where attention-only LoRA "
                         "falls behind (Schulman et al. 2025, LoRA Without Regret); the output head stays frozen, as "
                         "PEFT's \"all-linear\" leaves it");
  }

  // Adapter parameters per unit of rank on `targets`.
  int64_t parameters_per_rank(const std::vector<std::string>& targets) const {
    int64_t total = 0;
    for (const auto& p : model_.projections) {
      if (std::find(targets.begin(), targets.end(), p.name) != targets.end()) total += p.width;
    }
    return total;
  }

  ResolvedHyperparameter lora_rank() const {
    if (request_.lora_rank) {
      return from_user("lora_rank", *request_.lora_rank, "set by the user to " + num(*request_.lora_rank) + " (allowed: 1 to 512)");
    }
    const int64_t per_rank = parameters_per_rank(lora_target_modules().value.get<std::vector<std::string>>());
    const int64_t tokens = data_.total_tokens;
    const int64_t needed = ceil_div(tokens, bits_per_parameter * per_rank);
    int64_t power = 1;
    while (power < needed) power *= 2;
    const int64_t r = std::clamp(power, lora_min_rank, lora_max_rank);
    return automatic("lora_rank", r,
                     "rank for the data's size: " + num(tokens) + " training tokens of at most 1 bit each, at 2 bits per "
                     "parameter (Allen-Zhu and Li 2024), need ceil(" + num(tokens) + " / (2 x " + num(per_rank) +
                         " adapter parameters per rank)) = " + num(needed) + "; the next power of two clamped to [" +
                         num(lora_min_rank) + ", " + num(lora_max_rank) + "]: " + num(r));
  }

  ResolvedHyperparameter lora_alpha() const {
    if (request_.lora_alpha) return from_user("lora_alpha", *request_.lora_alpha, "set by the user to " + num(*request_.lora_alpha));
    const int64_t r = integer("lora_rank");
    return automatic("lora_alpha", lora_alpha_default,
                     "32, as Schulman et al. 2025 (LoRA Without Regret) fix it: the update is scaled by alpha / r = 32 / " +
                         num(r) + " = " + num(lora_alpha_default / double(r)) +
                         ", and with alpha fixed the best learning rate hardly depends on the rank");
  }

  ResolvedHyperparameter lora_dropout() const {
    if (request_.lora_dropout) {
      return from_user("lora_dropout", *request_.lora_dropout, "set by the user to " + num(*request_.lora_dropout) + " (allowed: 0 to less than 1)");
    }
    const bool large = model_.parameter_count > lora_large_model_parameters;
    const double p = large ? lora_dropout_large : lora_dropout_small;
    return automatic("lora_dropout", p,
                     num(p) + " on the adapters' input, as QLoRA (Dettmers et al. 2023) used for models " +
                         (large ? "of 33B and 65B parameters" : "up to 13B parameters") + "; the model has " +
                         num(model_.parameter_count));
  }

  // LoRA's memory at `micro` x `seq` with the plan's (or, before they are in it, the default) adapters.
  TrainingMemoryEstimate memory_needed(int64_t micro, int64_t seq) const {
    if (!plan_.contains("method") || !lora()) return estimate_training_memory(model_, micro, seq, bf16());
    return estimate_lora_training_memory(model_, adapter_parameters(), micro, seq, bf16());
  }

  int64_t adapter_parameters() const {
    const auto targets = plan_.contains("lora_target_modules") ? plan_.at("lora_target_modules").value : lora_target_modules().value;
    const int64_t r = plan_.contains("lora_rank") ? integer("lora_rank") : lora_rank().value.get<int64_t>();
    return r * parameters_per_rank(targets.get<std::vector<std::string>>());
  }

  void refuse_lora_settings_for_full() const {
    const std::pair<bool, const char*> settings[] = {{bool(request_.lora_rank), "lora_rank"},
                                                     {bool(request_.lora_alpha), "lora_alpha"},
                                                     {bool(request_.lora_dropout), "lora_dropout"},
                                                     {bool(request_.lora_target_modules), "lora_target_modules"}};
    for (const auto& [set, name] : settings) {
      if (set) {
        throw Error(ErrorKind::invalid_argument,
                    std::string("hyperparameters.") + name + " applies to LoRA, but the request's method is \"full\"",
                    std::string("hyperparameters.") + name);
      }
    }
  }

  ResolvedHyperparameter method() const {
    switch (method_) {
      case TrainingMethod::full:
        refuse_lora_settings_for_full();
        return from_user("method", "full", "set in the request: full fine-tuning, every weight trained");
      case TrainingMethod::lora:
        if (from_scratch()) {
          throw Error(ErrorKind::invalid_argument,
                      "method \"lora\" adapts a pretrained model, but a freshly initialised one has nothing to keep "
                      "frozen; train it with \"full\" or \"auto\"",
                      "method");
        }
        if (model_.projections.empty()) throw Error(ErrorKind::internal, "the model summary lists no projections for LoRA");
        return from_user("method", "lora", "set in the request: LoRA adapters on a frozen base");
      case TrainingMethod::automatic: return automatic_method();
    }
    throw Error(ErrorKind::internal, "unknown training method");
  }

  ResolvedHyperparameter automatic_method() const {
    if (from_scratch()) {
      refuse_lora_settings_for_full();
      return automatic("method", "full", "full: a freshly initialised model must learn every weight; LoRA adapts a pretrained one");
    }
    if (model_.projections.empty()) {
      refuse_lora_settings_for_full();
      return automatic("method", "full", "full: the model's projections are not known, so no LoRA adapters can be planned");
    }
    if (request_.sets_lora()) return automatic("method", "lora", "lora: the request sets LoRA hyper-parameters");
    const int64_t seq = max_seq_len().value.get<int64_t>();
    const std::string sequence = "one " + num(seq) + "-token sequence";
    if (machine_.gpu && probes_.fits_in_memory) {
      if (probes_.fits_in_memory(1, seq)) {
        return automatic("method", "full", "full: a full fine-tuning step on " + sequence + " fits in the GPU's memory (probed)");
      }
      return automatic("method", "lora",
                       "lora: a full fine-tuning step on " + sequence + " does not fit in the GPU's memory (probed), so the "
                       "base is frozen and LoRA adapters are trained");
    }
    const int64_t full = estimate_training_memory(model_, 1, seq, bf16()).total_bytes();
    const int64_t budget = memory_budget();
    const std::string budget_text = "80% of the machine's " + num(int64_t(machine_.available_memory_bytes)) + " available bytes";
    if (full <= budget) {
      return automatic("method", "full",
                       "full: full fine-tuning of " + sequence + " needs about " + num(full) + " bytes (" + gib(full) +
                           "), within " + budget_text + ", and trains every weight");
    }
    const int64_t with_lora = estimate_lora_training_memory(model_, adapter_parameters(), 1, seq, bf16()).total_bytes();
    return automatic("method", "lora",
                     "lora: full fine-tuning of " + sequence + " needs about " + num(full) + " bytes (" + gib(full) +
                         "), more than " + budget_text + "; with the base frozen and LoRA adapters trained it needs about " +
                         num(with_lora) + " bytes (" + gib(with_lora) + ")");
  }

  // ---- the run ----

  ResolvedHyperparameter epoch_selection() const {
    if (request_.epoch_selection) {
      if (*request_.epoch_selection == "best_validation" && !has_validation()) {
        throw Error(ErrorKind::invalid_argument,
                    "hyperparameters.epoch_selection \"best_validation\" needs a validation_file with examples to "
                    "score each epoch on",
                    "hyperparameters.epoch_selection");
      }
      return from_user("epoch_selection", *request_.epoch_selection, "set by the user to " + *request_.epoch_selection);
    }
    if (!has_validation()) return automatic("epoch_selection", "last", "last: there is no validation file to choose an epoch by");
    if (request_.n_epochs) {
      return automatic("epoch_selection", "last", "last: the user set n_epochs, so the run delivers what that many epochs train");
    }
    return automatic("epoch_selection", "best_validation",
                     "best_validation: the validation file is scored after every epoch (completion loss per token), the "
                     "run delivers the weights of the epoch that scored lowest, and it stops once " +
                         count(kEarlyStoppingEpochs, "epoch") +
                         " in a row have not improved on that; fine-tuning then plans twice the rule's epochs and "
                         "the data decide (on the benchmark the best epoch was often the last of 6 where the rule "
                         "gives 3: docs/hyperparameters.md)");
  }

  ResolvedHyperparameter n_epochs() const {
    if (request_.n_epochs) {
      return from_user("n_epochs", *request_.n_epochs,
                       "set by the user to " + num(*request_.n_epochs) + " (allowed: 1 to " + num(kMostEpochs) + ")");
    }
    if (from_scratch()) return pretraining_epochs();
    auto rule = fine_tuning_epochs();
    if (!selects_best_epoch()) return rule;
    const int64_t epochs = selected_epochs_factor * rule.value.get<int64_t>();
    return automatic("n_epochs", epochs,
                     "at most " + count(epochs, "epoch") + ": the rule's " + rule.value.dump() + " (" + rule.reason +
                         ") doubled, since the run delivers its best epoch by validation loss (epoch_selection)");
  }

  ResolvedHyperparameter fine_tuning_epochs() const {
    const int64_t n = data_.examples, visits = n * default_epochs;
    const std::string visiting = count(n, "example") + " x 3 epochs = " + num(visits) + " example visits";
    if (visits < min_example_visits) {
      const int64_t wanted = ceil_div(min_example_visits, n);
      const int64_t epochs = std::min(wanted, max_default_epochs);
      return automatic("n_epochs", epochs,
                       visiting + " is under 100, so ceil(100 / " + num(n) + ") = " + count(wanted, "epoch") +
                           (epochs < wanted ? ", capped at 25" : ""));
    }
    if (visits > max_example_visits) {
      const int64_t wanted = max_example_visits / n;
      const int64_t epochs = std::max<int64_t>(wanted, 1);
      return automatic("n_epochs", epochs,
                       visiting + " is over 25000, so floor(25000 / " + num(n) + ") = " + count(wanted, "epoch") +
                           (epochs > wanted ? ", raised to 1" : ""));
    }
    return automatic("n_epochs", default_epochs, "3 epochs, the default, since " + visiting + " is within 100 to 25000");
  }

  ResolvedHyperparameter pretraining_epochs() const {
    const int64_t wanted_tokens = tokens_per_parameter * model_.parameter_count;
    const int64_t wanted = ceil_div(wanted_tokens, data_.total_tokens);
    const int64_t epochs = std::clamp<int64_t>(wanted, 1, kMostEpochs);
    return automatic("n_epochs", epochs,
                     "a freshly initialised model is trained, not fine-tuned: 20 tokens per parameter (Chinchilla) x " +
                         num(model_.parameter_count) + " parameters = " + num(wanted_tokens) + " tokens, and ceil(" +
                         num(wanted_tokens) + " / " + num(data_.total_tokens) + " tokens per epoch) = " +
                         count(wanted, "epoch") +
                         (epochs < wanted ? ", capped at " + num(kMostEpochs) + ", the most a request may ask for" : ""));
  }

  ResolvedHyperparameter batch_size() const {
    const int64_t n = data_.examples;
    if (request_.batch_size) {
      const int64_t b = *request_.batch_size;
      if (b > n) {
        throw Error(ErrorKind::invalid_argument,
                    "hyperparameters.batch_size is " + num(b) + ", more than the " + count(n, "training example") +
                        "; it must be \"auto\" or an integer from 1 to " + num(std::min(n, kMostBatchSize)),
                    "hyperparameters.batch_size");
      }
      return from_user("batch_size", b,
                       "set by the user to " + num(b) + " (allowed: 1 to " + num(kMostBatchSize) + ", at most the " + num(n) +
                           " examples)");
    }
    if (from_scratch()) return pretraining_batch_size();
    // 0.2% rounded half up, in integers: round(n / 500) = (n + 250) / 500.
    const int64_t b = std::clamp<int64_t>((n + 250) / 500, 1, kMostBatchSize);
    return automatic("batch_size", b,
                     "0.2% of " + num(n) + " examples is " + num(n * 0.002) + "; rounded and clamped to [1, " +
                         num(kMostBatchSize) + "]: " + num(b));
  }

  ResolvedHyperparameter pretraining_batch_size() const {
    const int64_t n = data_.examples, most = std::min(n, kMostBatchSize);
    const double tokens = double(model_.parameter_count) / double(parameters_per_batch_token);
    const double mean = std::max(data_.mean_tokens, 1.0);
    const int64_t wanted = std::llround(tokens / mean);
    const int64_t b = std::clamp<int64_t>(wanted, 1, most);
    return automatic("batch_size", b,
                     "a freshly initialised model is pre-trained with batches of tokens in proportion to its size, "
                     "as GPT-3 was (Small: 0.5M tokens for 125M parameters, one per 250): " +
                         num(model_.parameter_count) + " / 250 = " + num(round_significant(tokens)) + " tokens, / " +
                         num(round_significant(mean)) + " mean tokens per example = " + num(wanted) +
                         " examples; clamped to [1, " + num(most) + "]: " + num(b));
  }

  ResolvedHyperparameter learning_rate_multiplier() const {
    if (request_.learning_rate_multiplier) {
      const double m = *request_.learning_rate_multiplier;
      return from_user("learning_rate_multiplier", m, "set by the user to " + num(m));
    }
    if (from_scratch()) {
      return automatic("learning_rate_multiplier", 1.0,
                       "1: a freshly initialised model is trained at GPT-3's full pre-training rate for its size, "
                       "not a fine-tuning fraction of it");
    }
    // Square-root scaling for Adam (Malladi et al. 2022): quadrupling the batch doubles the rate,
    // so each step of 0.05, 0.1, 0.2 covers a fourfold range of batches, centred on 2, 8 and 32.
    const int64_t b = integer("batch_size");
    const double m = b < 4 ? 0.05 : b < 16 ? 0.1 : 0.2;
    const std::string band = b < 4 ? "under 4" : b < 16 ? "from 4 to 15" : "16 or more";
    return automatic("learning_rate_multiplier", m,
                     num(m) + " for batch_size " + num(b) + ", which is " + band +
                         " (0.05 under 4, 0.1 from 4 to 15, 0.2 from 16: larger batches average more noise away and "
                         "take larger steps)");
  }

  // What the base rate is, for the reason of learning_rate.
  std::string base_rate_origin(const TableLearningRate& t) const {
    const std::string size = num(model_.parameter_count) + " parameters";
    if (t.extended) {
      const std::string law = "below GPT-3 Small: Table 2.1's power law extended, 6e-4 x (125000000 / " +
                              num(model_.parameter_count) + ")^0.318 (the exponent ln 10 / ln 1400 takes Small's 6e-4 at "
                              "125M to 175B's 6e-5)";
      if (from_scratch()) return "the pre-training rate for a freshly initialised model of " + size + ", " + law;
      return "the rate a model of " + size + " is pre-trained at, " + law +
             "; a fine-tuning rate is a fraction of the model's own pre-training rate, and a fraction of Small's rate "
             "put a 1.9M-parameter model 0.4 to 4.4 2x steps below the best rate on six tasks (docs/hyperparameters.md, "
             "the benchmark)";
    }
    if (t.clamped) {
      return "GPT-3 175B's pre-training rate (Table 2.1), used since the model's " + size +
             " are above the table's range of 125M to 175B";
    }
    if (t.lower.parameters == t.upper.parameters) {
      return std::string("GPT-3 ") + t.lower.model + "'s pre-training rate (Table 2.1) for the model's " + size;
    }
    return "GPT-3's pre-training rate for the model's " + size + ", interpolated in log-log space between Table 2.1's " +
           t.lower.model + " (" + num(t.lower.parameters) + " parameters, " + num(t.lower.learning_rate) + ") and " +
           t.upper.model + " (" + num(t.upper.parameters) + ", " + num(t.upper.learning_rate) + ")";
  }

  ResolvedHyperparameter learning_rate() const {
    const double multiplier = plan_.number("learning_rate_multiplier");
    const TableLearningRate table = gpt3_learning_rate(model_.parameter_count);
    const double base = round_significant(table.rate);
    if (lora()) {
      const double rate = round_significant(lora_learning_rate_factor * multiplier * base);
      return automatic("learning_rate", rate,
                       "LoRA: 10 x learning_rate_multiplier " + num(multiplier) + " x " + num(base) + " = " + num(rate) +
                           ", ten times the full fine-tuning rate, the ratio Schulman et al. 2025 (LoRA Without Regret) "
                           "found best across model sizes; " + num(base) + " is " + base_rate_origin(table));
    }
    const double rate = round_significant(multiplier * base);
    return automatic("learning_rate", rate,
                     "learning_rate_multiplier " + num(multiplier) + " x " + num(base) + " = " + num(rate) + ", where " +
                         num(base) + " is " + base_rate_origin(table));
  }

  ResolvedHyperparameter prompt_loss_weight() const {
    if (request_.prompt_loss_weight) {
      const double w = *request_.prompt_loss_weight;
      return from_user("prompt_loss_weight", w, "set by the user to " + num(w) + " (allowed: 0 to 1)");
    }
    if (from_scratch()) {
      return automatic("prompt_loss_weight", 1.0,
                       "1: a freshly initialised model must learn the language from every token, as in pre-training, "
                       "so prompt tokens count fully");
    }
    return automatic("prompt_loss_weight", default_prompt_loss_weight,
                     "0.01, OpenAI's default: prompt tokens count 1% so that the model learns to write completions "
                     "rather than to imitate prompts");
  }

  ResolvedHyperparameter max_seq_len() const {
    const int64_t longest = data_.max_tokens, context = model_.context_length;
    const int64_t rounded = ceil_div(longest, seq_len_multiple) * seq_len_multiple;
    std::string reason = "the longest example has " + num(longest) + " tokens, rounded up to a multiple of 8: " + num(rounded);
    if (rounded <= context) return automatic("max_seq_len", rounded, reason + ", within the model's context of " + num(context));
    reason += ", capped at the model's context of " + num(context);
    if (longest > context) reason += "; longer examples are truncated to it";
    return automatic("max_seq_len", context, reason);
  }

  ResolvedHyperparameter micro_batch_size() const {
    const int64_t batch = integer("batch_size"), seq = integer("max_seq_len");
    if (machine_.gpu && probes_.fits_in_memory) return probed_micro_batch(batch, seq);
    return estimated_micro_batch(batch, seq);
  }

  ResolvedHyperparameter probed_micro_batch(int64_t batch, int64_t seq) const {
    std::string probes;
    const int64_t micro = largest_fitting(divisors(batch), [&](int64_t size) {
      const bool fits = probes_.fits_in_memory(size, seq);
      probes += (probes.empty() ? "" : ", ") + num(size) + (fits ? " fits" : " does not");
      return fits;
    });
    if (micro == 0) {
      throw Error(ErrorKind::invalid_argument,
                  "model: a forward and backward pass of one sequence of " + num(seq) +
                      " tokens does not fit in the GPU's memory",
                  "model");
    }
    return automatic("micro_batch_size", micro,
                     num(micro) + ", the largest divisor of batch_size " + num(batch) + " whose forward and backward pass on " +
                         num(seq) + "-token sequences fits in the GPU's memory (probed: " + probes + ")");
  }

  ResolvedHyperparameter estimated_micro_batch(int64_t batch, int64_t seq) const {
    const auto needs = [&](int64_t size) { return memory_needed(size, seq).total_bytes(); };
    const int64_t budget = memory_budget();
    const std::vector<int64_t> sizes = divisors(batch);
    const int64_t micro = largest_fitting(sizes, [&](int64_t size) { return needs(size) <= budget; });
    const std::string device = machine_.gpu ? "the GPU's" : "the machine's";
    const std::string budget_text = "80% of " + device + " " + num(int64_t(machine_.available_memory_bytes)) + " available bytes";
    if (micro == 0) {
      throw Error(ErrorKind::invalid_argument,
                  "model: training on one sequence of " + num(seq) + " tokens needs about " + num(needs(1)) + " bytes (" +
                      gib(needs(1)) + "), more than " + budget_text,
                  "model");
    }
    std::string reason = num(micro) + ", the largest divisor of batch_size " + num(batch) + " whose training step on " +
                         num(seq) + "-token sequences is estimated to fit in " + budget_text + ": it needs about " +
                         num(needs(micro)) + " bytes";
    const auto larger = std::upper_bound(sizes.begin(), sizes.end(), micro);
    if (larger != sizes.end()) reason += ", and " + num(*larger) + " would need " + num(needs(*larger));
    return automatic("micro_batch_size", micro, reason);
  }

  ResolvedHyperparameter gradient_accumulation_steps() const {
    const int64_t batch = integer("batch_size"), micro = integer("micro_batch_size");
    return automatic("gradient_accumulation_steps", batch / micro,
                     "batch_size " + num(batch) + " / micro_batch_size " + num(micro) + " = " +
                         count(batch / micro, "micro-batch", "micro-batches") + " accumulated into each optimizer step");
  }

  ResolvedHyperparameter steps_per_epoch() const {
    const int64_t n = data_.examples, batch = integer("batch_size");
    const int64_t steps = ceil_div(n, batch);
    std::string reason = "ceil(" + num(n) + " examples / batch_size " + num(batch) + ") = " + num(steps);
    if (n % batch != 0) reason += "; the last step of each epoch takes the " + count(n % batch, "example") + " left over";
    return automatic("steps_per_epoch", steps, reason);
  }

  ResolvedHyperparameter total_steps() const { return total_steps_entry(integer("steps_per_epoch"), integer("n_epochs")); }

  ResolvedHyperparameter warmup_steps() const { return warmup_steps_entry(integer("total_steps"), from_scratch()); }

  ResolvedHyperparameter lr_schedule() const {
    return linear_lr_schedule(plan_.number("learning_rate"), integer("warmup_steps"), integer("total_steps"));
  }

  void add_optimizer_constants() {
    add(automatic("weight_decay", weight_decay,
                  "0.1, GPT-3's AdamW weight decay (Brown et al. 2020, Appendix B), on weight matrices only, not on "
                  "norms and biases"));
    add(automatic("adam_beta1", adam_beta1, "0.9, GPT-3's AdamW beta1 (Brown et al. 2020, Appendix B)"));
    add(automatic("adam_beta2", adam_beta2,
                  "0.95, GPT-3's AdamW beta2 (Brown et al. 2020, Appendix B), shorter-memoried than the usual 0.999 "
                  "so that a sudden large gradient is damped sooner"));
    add(automatic("adam_epsilon", adam_epsilon, "1e-08, GPT-3's AdamW epsilon (Brown et al. 2020, Appendix B)"));
    add(automatic("max_grad_norm", max_grad_norm,
                  "1: gradients are clipped to a global norm of 1, as GPT-3's were (Brown et al. 2020, Appendix B)"));
  }

  ResolvedHyperparameter seed() const {
    if (request_.seed) return from_user("seed", *request_.seed, "set in the request: " + num(*request_.seed));
    std::random_device entropy;
    const int64_t s = std::uniform_int_distribution<int64_t>(0, kMostSeed)(entropy);
    return automatic("seed", s, "chosen at random since the request gives none, and recorded so that the run can be repeated: " + num(s));
  }

  ResolvedHyperparameter total_tokens() const {
    const int64_t epochs = integer("n_epochs"), seq = integer("max_seq_len");
    const bool truncated = data_.max_tokens > seq;
    const int64_t per_epoch = truncated ? std::min(data_.total_tokens, data_.examples * seq) : data_.total_tokens;
    const std::string counted =
        truncated ? "at most " + num(per_epoch) + " tokens per epoch (examples are truncated to " + num(seq) + " tokens)"
                  : num(per_epoch) + " tokens per epoch";
    return total_tokens_entry(per_epoch, epochs, counted);
  }

  ResolvedHyperparameter estimated_memory_bytes() const {
    const int64_t micro = integer("micro_batch_size"), seq = integer("max_seq_len");
    const TrainingMemoryEstimate e = memory_needed(micro, seq);
    const std::string activations = bf16() ? "bf16 activations" : "fp32 activations";
    const std::string copies = e.bf16_weight_copies ? " (with autocast's bf16 copies)" : "";
    const std::string state =
        lora() ? num(e.bytes_per_base_parameter) + " bytes x " + num(model_.parameter_count) + " frozen base parameters" +
                     copies + " + 16 bytes x " + num(adapter_parameters()) +
                     " adapter parameters for their weights, gradients and AdamW moments ("
               : num(e.bytes_per_base_parameter) + " bytes x " + num(model_.parameter_count) +
                     " parameters for weights, gradients and AdamW moments" + copies + " (";
    return automatic("estimated_memory_bytes", e.total_bytes(),
                     state + num(e.model_state_bytes) + ") + " + activations + " of " + num(micro) + " x " + num(seq) +
                         " tokens (" + num(e.activation_bytes) + ") + the runtime's floor (" + num(e.runtime_bytes) +
                         ") = " + num(e.total_bytes()) + " bytes (" + gib(e.total_bytes()) + ") of " +
                         num(int64_t(machine_.available_memory_bytes)) + " available");
  }

  // CPU threads by measurement: a micro-batch timed with every thread the process may use (the
  // machine's vCPUs unless the host said fewer) and with half of them, since
  // two hyper-threads share one core's matrix units and may run no faster than one; the fewer
  // threads are kept unless the more are at least 5% faster. The timing also feeds
  // estimated_seconds. On a GPU the CPU only feeds it: every thread.
  ResolvedHyperparameter threads() {
    const int64_t all = machine_.cores, half = std::max<int64_t>(1, all / 2);
    if (!probes_.measured_seconds_per_micro_batch) {
      return automatic("threads", all, num(all) + ", every thread the process may use: no micro-batch was timed to choose fewer");
    }
    const int64_t micro = integer("micro_batch_size"), seq = integer("max_seq_len");
    const auto with_all = probes_.measured_seconds_per_micro_batch(micro, seq, static_cast<int>(all));
    if (machine_.gpu || half == all) {
      timed_seconds_ = with_all;
      return automatic("threads", all, num(all) + ", every thread the process may use" + (machine_.gpu ? ": the GPU computes, the CPU feeds it" : ""));
    }
    const auto with_half = probes_.measured_seconds_per_micro_batch(micro, seq, static_cast<int>(half));
    const bool fewer = with_half <= with_all / 0.95;
    timed_seconds_ = fewer ? with_half : with_all;
    const auto chosen = fewer ? half : all;
    return automatic("threads", chosen,
                     "a micro-batch took " + num(round_significant(with_all)) + " s with " + num(all) + " threads and " +
                         num(round_significant(with_half)) + " s with " + num(half) + "; " + num(chosen) +
                         (fewer ? ", since " + num(all) + " were not 5% faster" : ", the faster"));
  }

  // The run's training time from the timed micro-batch and one optimizer step, timed with the
  // threads chosen for the run; nothing without a timing.
  void time_run() {
    if (!timed_seconds_) return;
    const int64_t micro = integer("micro_batch_size"), seq = integer("max_seq_len");
    run_time_.emplace();
    run_time_->padding = packing_padding();
    // The timed micro-batch was all tokens; the run's packed ones also compute on their padding.
    run_time_->seconds_per_token = *timed_seconds_ / double(micro * seq) * run_time_->padding;
    if (probes_.measured_seconds_per_optimizer_step) {
      run_time_->optimizer_step_seconds = probes_.measured_seconds_per_optimizer_step(static_cast<int>(integer("threads")));
    }
    run_time_->seconds = run_time_->seconds_per_token * double(integer("total_tokens")) +
                         double(integer("total_steps")) * run_time_->optimizer_step_seconds;
  }

  // Positions per token of this run's packed micro-batches (rows x width over the real tokens):
  // its first epoch, in the order the run trains it. 1 when the statistics carry no per-example
  // lengths.
  double packing_padding() const {
    const auto& lengths = data_.example_tokens;
    const auto micro = static_cast<size_t>(integer("micro_batch_size"));
    const int64_t seq = integer("max_seq_len");
    const auto order = epoch_order(lengths.size(), static_cast<uint64_t>(integer("seed")), 0);
    int64_t positions = 0, tokens = 0;
    for (size_t start = 0; start < order.size(); start += micro) {
      std::vector<int64_t> micro_batch;
      for (size_t i = start; i < std::min(order.size(), start + micro); ++i) {
        micro_batch.push_back(std::min(lengths[order[i]], seq));
        tokens += micro_batch.back();
      }
      positions += packed_positions(micro_batch, seq);
    }
    return tokens > 0 ? double(positions) / double(tokens) : 1.0;
  }

  void add_learning_rate_probe() {
    LearningRateProbeInputs in;
    in.requested = request_.learning_rate_probe;
    in.learning_rate_set_by_user = request_.learning_rate_multiplier.has_value();
    in.epochs_set_by_user = request_.n_epochs.has_value();
    in.epochs_selected_by_validation = selects_best_epoch();
    in.from_scratch = from_scratch();
    in.training_examples = data_.examples;
    in.mean_training_tokens = data_.mean_tokens;
    if (validation_) {
      in.validation_examples = validation_->examples;
      in.mean_validation_tokens = validation_->mean_tokens;
    }
    in.n_epochs = integer("n_epochs");
    in.batch_size = integer("batch_size");
    if (run_time_) {
      in.seconds_per_token = run_time_->seconds_per_token;
      in.seconds_per_optimizer_step = run_time_->optimizer_step_seconds;
      in.run_seconds = run_time_->seconds;
    }
    // fp32 copies of what trains: the whole model, or a LoRA run's adapters.
    in.snapshot_bytes = 4 * (lora() ? adapter_parameters() : model_.parameter_count);
    in.memory_bytes = integer("estimated_memory_bytes");
    in.memory_budget_bytes = memory_budget();
    auto probe = plan_learning_rate_probe(in);
    probe_seconds_ = probe.seconds;
    for (auto& e : probe.entries) add(std::move(e));
    if (probe_seconds_ > 0) count_probe_memory(in.snapshot_bytes);
  }

  // The probe's copy of the trainable weights is held beside the run's state during the trials,
  // so the run's peak is that much higher.
  void count_probe_memory(int64_t snapshot_bytes) {
    const auto& memory = plan_.at("estimated_memory_bytes");
    const int64_t total = memory.value.get<int64_t>() + snapshot_bytes;
    plan_.replace(automatic("estimated_memory_bytes", total,
                            memory.reason + "; with the learning-rate probe's copy of the trainable weights during its "
                                            "trials (" + num(snapshot_bytes) + "): " + num(total) + " bytes (" + gib(total) + ")"));
  }

  ResolvedHyperparameter estimated_seconds() const {
    if (!run_time_) {
      return automatic("estimated_seconds", nullptr, "not estimated: no micro-batch was timed on this machine");
    }
    const int64_t micro = integer("micro_batch_size"), seq = integer("max_seq_len"), tokens = integer("total_tokens");
    const int64_t steps = integer("total_steps");
    const double seconds = round_significant(run_time_->seconds + probe_seconds_);
    const std::string device = machine_.gpu ? "the GPU" : num(integer("threads")) + " CPU threads";
    const std::string optimizer =
        run_time_->optimizer_step_seconds > 0
            ? ", and " + num(steps) + " optimizer steps (clipping and AdamW) of " +
                  num(round_significant(run_time_->optimizer_step_seconds)) + " s each"
            : "";
    const std::string probe =
        probe_seconds_ > 0 ? " (" + num(round_significant(run_time_->seconds)) + " s) and the learning-rate probe's trials (" +
                                 num(round_significant(probe_seconds_)) + " s)"
                           : "";
    const std::string padding =
        run_time_->padding > 1.0005 ? "with the padding of this data's packed micro-batches (" + num(run_time_->padding, 3) +
                                          " positions per token) "
                                    : "";
    return automatic("estimated_seconds", seconds,
                     "one micro-batch of " + num(micro) + " x " + num(seq) + " tokens took " +
                         num(round_significant(*timed_seconds_)) + " s on " + device + ", " +
                         padding + num(run_time_->seconds_per_token) + " s per token, so " + num(tokens) + " training tokens" +
                         optimizer + probe + " take about " + num(seconds) + " s, evaluation not counted");
  }

  ResolvedHyperparameter checkpoint_interval() const {
    CheckpointIntervalInputs in;
    in.requested = request_.checkpoint_interval_steps;
    in.steps_per_epoch = integer("steps_per_epoch");
    in.total_steps = integer("total_steps");
    // The run's own time: the probe's trials come before it and write no checkpoints.
    if (run_time_) in.estimated_seconds = round_significant(run_time_->seconds);
    // What trains is saved with its two AdamW moments, all fp32; a LoRA run's base is not saved.
    const int64_t trained = lora() ? adapter_parameters() : model_.parameter_count;
    in.checkpoint_bytes = 12 * trained;
    in.checkpoint_contents = "12 bytes x " + num(trained) + (lora() ? " adapter" : "") +
                             " parameters: fp32 weights and two AdamW moments";
    return checkpoint_interval_steps(in);
  }

  const HyperparameterRequest& request_;
  const DatasetStatistics& data_;
  const ModelSummary& model_;
  const MachineSummary& machine_;
  const DeviceProbes& probes_;
  const DatasetStatistics* validation_;  // the validation file's, when the request has one
  std::optional<double> timed_seconds_;  // one micro-batch's time with the chosen threads
  struct RunTime {
    double seconds_per_token = 0, optimizer_step_seconds = 0, seconds = 0;
    double padding = 1;  // positions per token of the packed micro-batches
  };
  std::optional<RunTime> run_time_;  // with a timed micro-batch
  double probe_seconds_ = 0;         // the learning-rate probe's trials, when planned
  TrainingMethod method_;
  HyperparameterPlan plan_;
};

}  // namespace

int64_t optimizer_steps(int64_t examples, int64_t batch_size, int64_t epochs) {
  return ceil_div(examples, batch_size) * epochs;
}

void change_fine_tuning_epochs(HyperparameterPlan& plan, int64_t epochs, const std::string& reason) {
  const int64_t per_epoch_tokens = plan.integer("total_tokens") / plan.integer("n_epochs");
  plan.replace(automatic("n_epochs", epochs, reason));
  plan.replace(total_steps_entry(plan.integer("steps_per_epoch"), epochs));
  plan.replace(warmup_steps_entry(plan.integer("total_steps"), false));
  plan.replace(total_tokens_entry(per_epoch_tokens, epochs, num(per_epoch_tokens) + " tokens per epoch"));
  plan.replace(linear_lr_schedule(plan.number("learning_rate"), plan.integer("warmup_steps"), plan.integer("total_steps")));
}

ResolvedHyperparameter linear_lr_schedule(double learning_rate, int64_t warmup_steps, int64_t total_steps) {
  return automatic("lr_schedule", "linear",
                   "linear: the learning rate rises from 0 to " + num(learning_rate) + " over the " + num(warmup_steps) +
                       " warm-up steps, then falls linearly to 0 at step " + num(total_steps));
}

namespace {

void require_tokens(const DatasetStatistics& data) {
  if (data.examples < 1 || data.total_tokens < 1 || data.max_tokens < 1) {
    throw Error(ErrorKind::invalid_input,
                "training_file has no tokens to train on (" + num(data.examples) + " examples, " + num(data.total_tokens) +
                    " tokens)",
                "training_file");
  }
}

}  // namespace

HyperparameterPlan plan_hyperparameters(const json& hyperparameters, const json& seed, const DatasetStatistics& training_set,
                                        const ModelSummary& model, const MachineSummary& machine, const DeviceProbes& probes,
                                        TrainingMethod method, const DatasetStatistics* validation_set) {
  const HyperparameterRequest request = parse_hyperparameter_request(hyperparameters, seed);
  require_tokens(training_set);
  return Planner(request, training_set, model, machine, probes, method, validation_set).plan();
}

}  // namespace ft
