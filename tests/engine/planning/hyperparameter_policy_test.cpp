#include "engine/planning/hyperparameter_policy.h"

#include "engine/core/error.h"
#include "engine/formats/model_config.h"
#include "engine/models/architecture_presets.h"
#include "tests/catch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

namespace {

using nlohmann::json;

constexpr uint64_t gib = uint64_t(1) << 30;

// `examples` examples of `tokens_each` tokens.
ft::DatasetStatistics training_set(int64_t examples, int64_t tokens_each = 100) {
  ft::DatasetStatistics s;
  s.examples = examples;
  s.total_tokens = examples * tokens_each;
  s.prompt_tokens = s.total_tokens / 2;
  s.completion_tokens = s.total_tokens - s.prompt_tokens;
  s.min_tokens = s.max_tokens = s.median_tokens = s.p95_tokens = tokens_each;
  s.mean_tokens = double(tokens_each);
  return s;
}

// A pretrained GPT-3 Small shape with the given parameter count.
ft::ModelSummary gpt3_small_shaped(int64_t parameters) {
  ft::ModelSummary m;
  m.parameter_count = parameters;
  m.context_length = 2048;
  m.hidden_size = 768;
  m.num_layers = 12;
  m.vocab_size = 50257;
  m.pretrained = true;
  m.num_heads = 12;
  m.intermediate_size = 3072;
  return m;
}

ft::MachineSummary cpu(uint64_t memory_bytes) { return {false, memory_bytes, 8}; }

ft::HyperparameterPlan plan_for(int64_t examples, const json& hyperparameters = json::object(),
                                const ft::ModelSummary& model = gpt3_small_shaped(125'000'000)) {
  return ft::plan_hyperparameters(hyperparameters, nullptr, training_set(examples), model, cpu(64 * gib));
}

std::string printed(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

// The value as its reason must show it: integers in full, numbers as %g prints them.
std::string value_text(const json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return printed(value.get<double>());
  return value.get<std::string>();
}

void check_every_entry_explained(const ft::HyperparameterPlan& plan) {
  const json doc = ft::to_json(plan);
  for (const auto& [name, entry] : doc.items()) {
    INFO(name << ": " << entry.dump());
    CHECK((entry.at("source") == "auto" || entry.at("source") == "user"));
    const std::string reason = entry.at("reason").get<std::string>();
    CHECK_FALSE(reason.empty());
    const json& value = entry.at("value");
    if (value.is_null()) {
      CHECK(name == "estimated_seconds");
      CHECK(reason.find("not estimated") != std::string::npos);
      continue;
    }
    CHECK(reason.find(value_text(value)) != std::string::npos);
  }
}

int64_t largest_divisor_at_most(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d) {
    if (n % d == 0) return d;
  }
  return 1;
}

}  // namespace

TEST_CASE("n_epochs and batch_size follow the rules for every size of training set", "[policy]") {
  struct Row {
    int64_t examples, n_epochs, batch_size;
  };
  // n_epochs: 3, or ceil(100 / n) up to 25 when 3n < 100, or floor(25000 / n) down to 1 when
  // 3n > 25000. batch_size: 0.2% of n rounded half up, clamped to [1, 256].
  const Row rows[] = {
      {1, 25, 1},      {3, 25, 1},      {4, 25, 1},     {5, 20, 1},      {20, 5, 1},     {33, 4, 1},
      {34, 3, 1},      {100, 3, 1},     {249, 3, 1},    {250, 3, 1},     {749, 3, 1},    {750, 3, 2},
      {5000, 3, 10},   {8333, 3, 17},   {8334, 2, 17},  {12500, 2, 25},  {12501, 1, 25}, {127749, 1, 255},
      {127750, 1, 256}, {200000, 1, 256}, {1000000, 1, 256},
  };
  for (const Row& row : rows) {
    INFO(row.examples << " examples");
    const ft::HyperparameterPlan plan = plan_for(row.examples);
    CHECK(plan.integer("n_epochs") == row.n_epochs);
    CHECK(plan.integer("batch_size") == row.batch_size);
    CHECK(plan.at("n_epochs").source == ft::HyperparameterSource::automatic);
  }
}

TEST_CASE("The learning rate is the multiplier times GPT-3's rate for the model's size", "[policy]") {
  // 400 examples: batch_size 1, so learning_rate_multiplier 0.05.
  struct Row {
    int64_t parameters;
    double base_rate;
  };
  const double interpolated_200m = 6e-4 * std::pow(0.5, std::log(200.0 / 125.0) / std::log(350.0 / 125.0));
  const double interpolated_3b = 1.6e-4 * std::pow(1.2 / 1.6, std::log(3.0 / 2.7) / std::log(6.7 / 2.7));
  // Below Small, the power law through Table 2.1's ends (6e-4 at 125M, 6e-5 at 175B) continued.
  const double extended_1m = 6e-4 * std::pow(125.0, std::log(10.0) / std::log(1400.0));
  const Row rows[] = {
      {125'000'000, 6e-4},           {350'000'000, 3e-4},   {760'000'000, 2.5e-4},  {1'300'000'000, 2e-4},
      {13'000'000'000, 1e-4},        {175'000'000'000, 6e-5}, {200'000'000, interpolated_200m},
      {3'000'000'000, interpolated_3b}, {1'000'000, extended_1m}, {1'000'000'000'000, 6e-5},
  };
  // Memory enough for 175B's 2.8 TB of weights and optimizer state, so that every size plans.
  const ft::MachineSummary huge{true, uint64_t(1) << 45, 64};
  for (const Row& row : rows) {
    INFO(row.parameters << " parameters");
    const ft::HyperparameterPlan plan =
        ft::plan_hyperparameters(json::object(), 1, training_set(400), gpt3_small_shaped(row.parameters), huge);
    CHECK(plan.number("learning_rate_multiplier") == 0.05);
    CHECK(plan.number("learning_rate") == Approx(0.05 * row.base_rate).epsilon(0.005));
  }
  const std::string below = plan_for(400, json::object(), gpt3_small_shaped(1'000'000)).at("learning_rate").reason;
  CHECK(below.find("below GPT-3 Small") != std::string::npos);
  CHECK(below.find("is pre-trained at") != std::string::npos);
  CHECK(below.find("learning_rate_multiplier 0.05 x 0.00278 = 0.000139") != std::string::npos);
  CHECK(plan_for(400, json::object(), gpt3_small_shaped(200'000'000)).at("learning_rate").reason.find("interpolated") !=
        std::string::npos);
}

TEST_CASE("learning_rate_multiplier grows with the batch and a user's multiplier scales the rate", "[policy]") {
  struct Row {
    int64_t batch_size;
    double multiplier;
  };
  const Row rows[] = {{1, 0.05}, {3, 0.05}, {4, 0.1}, {15, 0.1}, {16, 0.2}, {256, 0.2}};
  for (const Row& row : rows) {
    INFO("batch_size " << row.batch_size);
    const ft::HyperparameterPlan plan = plan_for(1000, {{"batch_size", row.batch_size}});
    CHECK(plan.at("batch_size").source == ft::HyperparameterSource::user);
    CHECK(plan.number("learning_rate_multiplier") == row.multiplier);
  }
  const ft::HyperparameterPlan plan = plan_for(400, {{"learning_rate_multiplier", 0.3}});
  CHECK(plan.at("learning_rate_multiplier").source == ft::HyperparameterSource::user);
  CHECK(plan.number("learning_rate") == Approx(0.3 * 6e-4));
}

TEST_CASE("Every hyper-parameter has a source and a reason that shows its numbers", "[policy]") {
  const std::vector<std::string> required = {
      "n_epochs",      "batch_size",     "micro_batch_size", "gradient_accumulation_steps", "learning_rate_multiplier",
      "learning_rate", "prompt_loss_weight", "max_seq_len",  "warmup_steps",   "lr_schedule", "weight_decay",
      "adam_beta1",    "adam_beta2",     "adam_epsilon",     "max_grad_norm",  "seed",        "steps_per_epoch",
      "total_steps",   "total_tokens",   "estimated_memory_bytes", "threads", "estimated_seconds", "checkpoint_interval_steps"};
  SECTION("automatic, fine-tuning") {
    const ft::HyperparameterPlan plan = plan_for(8334);
    for (const auto& name : required) CHECK(plan.contains(name));
    check_every_entry_explained(plan);
  }
  SECTION("user values") {
    const json given = {{"n_epochs", 4}, {"batch_size", 8}, {"learning_rate_multiplier", 0.123456}, {"prompt_loss_weight", 0.5},
                        {"checkpoint_interval_steps", 7}};
    const ft::HyperparameterPlan plan =
        ft::plan_hyperparameters(given, 42, training_set(400), gpt3_small_shaped(125'000'000), cpu(64 * gib));
    for (const char* name :
         {"n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight", "checkpoint_interval_steps", "seed"}) {
      CHECK(plan.at(name).source == ft::HyperparameterSource::user);
    }
    CHECK(plan.integer("checkpoint_interval_steps") == 7);
    CHECK(plan.integer("seed") == 42);
    CHECK(plan.number("prompt_loss_weight") == 0.5);
    check_every_entry_explained(plan);
  }
  SECTION("trained from scratch, probed and timed on a GPU") {
    ft::ModelSummary model = gpt3_small_shaped(125'000'000);
    model.pretrained = false;
    ft::DeviceProbes probes;
    probes.fits_in_memory = [](int64_t micro, int64_t seq) { return micro * seq <= 4096; };
    probes.measured_seconds_per_micro_batch = [](int64_t, int64_t, int) { return 0.25; };
    const ft::HyperparameterPlan plan =
        ft::plan_hyperparameters(json::object(), "auto", training_set(20000, 1000), model, {true, 80 * gib, 16}, probes);
    for (const auto& name : required) CHECK(plan.contains(name));
    check_every_entry_explained(plan);
  }
}

TEST_CASE("The plan serialises each hyper-parameter as its value and source and reason", "[policy]") {
  const ft::HyperparameterPlan plan = plan_for(400, {{"n_epochs", 2}});
  const json doc = ft::to_json(plan);
  CHECK(doc.size() == plan.entries().size());
  CHECK(doc.at("n_epochs") == json({{"value", 2}, {"source", "user"}, {"reason", plan.at("n_epochs").reason}}));
  CHECK(doc.at("batch_size").at("source") == "auto");
  CHECK(doc.at("lr_schedule").at("value") == "linear");
  CHECK(plan.text("lr_schedule") == "linear");
  CHECK_THROWS_AS(plan.integer("learning_rate"), ft::Error);
  CHECK_THROWS_AS(plan.integer("no_such_thing"), ft::Error);
}

TEST_CASE("Each invalid user value is refused with a message that names it and its range", "[policy]") {
  struct Case {
    const char* label;
    json hyperparameters;
    json seed;
    std::string param;
    std::string allowed;  // part of the message that states what is allowed
  };
  const std::vector<Case> cases = {
      {"n_epochs zero", {{"n_epochs", 0}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"n_epochs above 50", {{"n_epochs", 51}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"n_epochs fractional", {{"n_epochs", 2.5}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"n_epochs a word", {{"n_epochs", "three"}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"n_epochs a boolean", {{"n_epochs", true}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"n_epochs null", {{"n_epochs", nullptr}}, nullptr, "hyperparameters.n_epochs", "an integer from 1 to 50"},
      {"batch_size zero", {{"batch_size", 0}}, nullptr, "hyperparameters.batch_size", "an integer from 1 to 256"},
      {"batch_size above 256", {{"batch_size", 257}}, nullptr, "hyperparameters.batch_size", "an integer from 1 to 256"},
      {"batch_size a string", {{"batch_size", "8"}}, nullptr, "hyperparameters.batch_size", "an integer from 1 to 256"},
      {"learning_rate_multiplier zero", {{"learning_rate_multiplier", 0}}, nullptr, "hyperparameters.learning_rate_multiplier",
       "a positive number"},
      {"learning_rate_multiplier negative", {{"learning_rate_multiplier", -0.1}}, nullptr,
       "hyperparameters.learning_rate_multiplier", "a positive number"},
      {"learning_rate_multiplier a string", {{"learning_rate_multiplier", "0.1"}}, nullptr,
       "hyperparameters.learning_rate_multiplier", "a positive number"},
      {"prompt_loss_weight negative", {{"prompt_loss_weight", -0.01}}, nullptr, "hyperparameters.prompt_loss_weight",
       "a number from 0 to 1"},
      {"prompt_loss_weight above 1", {{"prompt_loss_weight", 1.5}}, nullptr, "hyperparameters.prompt_loss_weight",
       "a number from 0 to 1"},
      {"prompt_loss_weight an array", {{"prompt_loss_weight", {0.1}}}, nullptr, "hyperparameters.prompt_loss_weight",
       "a number from 0 to 1"},
      {"an unknown name", {{"learning_rate", 0.001}}, nullptr, "hyperparameters.learning_rate", "n_epochs (1 to 50)"},
      {"a misspelt name", {{"epochs", 3}}, nullptr, "hyperparameters.epochs", "batch_size (1 to 256)"},
      {"hyperparameters not an object", json::array({3}), nullptr, "hyperparameters", "an object"},
      {"checkpoint_interval_steps zero", {{"checkpoint_interval_steps", 0}}, nullptr,
       "hyperparameters.checkpoint_interval_steps", "an integer from 1 to 1000000"},
      {"checkpoint_interval_steps fractional", {{"checkpoint_interval_steps", 2.5}}, nullptr,
       "hyperparameters.checkpoint_interval_steps", "an integer from 1 to 1000000"},
      {"checkpoint_interval_steps a string", {{"checkpoint_interval_steps", "10"}}, nullptr,
       "hyperparameters.checkpoint_interval_steps", "an integer from 1 to 1000000"},
      {"checkpoint_interval_steps above the bound", {{"checkpoint_interval_steps", 1000001}}, nullptr,
       "hyperparameters.checkpoint_interval_steps", "an integer from 1 to 1000000"},
      {"epoch_selection a number", {{"epoch_selection", 1}}, nullptr, "hyperparameters.epoch_selection",
       "\"best_validation\" or \"last\""},
      {"epoch_selection best_validation without a validation file", {{"epoch_selection", "best_validation"}}, nullptr,
       "hyperparameters.epoch_selection", "needs a validation_file"},
      {"seed negative", json::object(), -1, "seed", "an integer from 0 to 2147483647"},
      {"seed too large", json::object(), 2147483648ll, "seed", "an integer from 0 to 2147483647"},
      {"seed a word", json::object(), "random", "seed", "an integer from 0 to 2147483647"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.label) {
      try {
        ft::plan_hyperparameters(c.hyperparameters, c.seed, training_set(400), gpt3_small_shaped(125'000'000), cpu(64 * gib));
        FAIL("accepted " << c.hyperparameters.dump() << " seed " << c.seed.dump());
      } catch (const ft::Error& e) {
        const std::string message = e.what();
        INFO(message);
        CHECK(e.kind() == ft::ErrorKind::invalid_argument);
        CHECK(e.param() == c.param);
        CHECK(message.find(c.param) != std::string::npos);
        CHECK(message.find(c.allowed) != std::string::npos);
      }
    }
  }
}

TEST_CASE("With a validation file the run keeps its best epoch, and plans twice the rule's epochs", "[policy]") {
  const auto model = gpt3_small_shaped(125'000'000);
  const auto validation = training_set(50);
  auto plan_with = [&](const json& hyperparameters, const ft::DatasetStatistics* validation_set) {
    return ft::plan_hyperparameters(hyperparameters, nullptr, training_set(400), model, cpu(64 * gib), {},
                                    ft::TrainingMethod::automatic, validation_set);
  };
  SECTION("auto, with a validation file") {
    const auto plan = plan_with(json::object(), &validation);
    CHECK(plan.text("epoch_selection") == "best_validation");
    CHECK(plan.at("epoch_selection").source == ft::HyperparameterSource::automatic);
    CHECK(plan.at("epoch_selection").reason.find("stops once 2 epochs in a row") != std::string::npos);
    // 400 examples: the rule's 3 epochs, doubled; the steps follow.
    CHECK(plan.integer("n_epochs") == 6);
    CHECK(plan.at("n_epochs").reason.find("the rule's 3 (3 epochs, the default") != std::string::npos);
    CHECK(plan.integer("total_steps") == 6 * plan.integer("steps_per_epoch"));
    check_every_entry_explained(plan);
  }
  SECTION("auto, without a validation file or with an empty one: the last epoch, the rule's epochs") {
    const auto empty = training_set(0);
    for (const ft::DatasetStatistics* v : {static_cast<const ft::DatasetStatistics*>(nullptr), &empty}) {
      const auto plan = plan_with(json::object(), v);
      CHECK(plan.text("epoch_selection") == "last");
      CHECK(plan.at("epoch_selection").reason.find("no validation file") != std::string::npos);
      CHECK(plan.integer("n_epochs") == 3);
    }
  }
  SECTION("the user's n_epochs are trained and delivered as they are") {
    const auto plan = plan_with({{"n_epochs", 5}}, &validation);
    CHECK(plan.text("epoch_selection") == "last");
    CHECK(plan.at("epoch_selection").reason.find("the user set n_epochs") != std::string::npos);
    CHECK(plan.integer("n_epochs") == 5);
  }
  SECTION("set by the user") {
    const auto last = plan_with({{"epoch_selection", "last"}}, &validation);
    CHECK(last.text("epoch_selection") == "last");
    CHECK(last.at("epoch_selection").source == ft::HyperparameterSource::user);
    CHECK(last.integer("n_epochs") == 3);
    const auto best = plan_with({{"epoch_selection", "best_validation"}, {"n_epochs", 5}}, &validation);
    CHECK(best.text("epoch_selection") == "best_validation");
    CHECK(best.integer("n_epochs") == 5);
  }
  SECTION("the rule's most, doubled, is the most a request may ask for") {
    const auto plan = ft::plan_hyperparameters(json::object(), nullptr, training_set(3), model, cpu(64 * gib), {},
                                               ft::TrainingMethod::automatic, &validation);
    CHECK(plan.integer("n_epochs") == 50);  // the rule's ceil(100 / 3) = 34 capped at 25, doubled
    CHECK(plan.at("n_epochs").reason.find("capped at 25") != std::string::npos);
  }
}

TEST_CASE("A batch_size above the number of examples names the examples", "[policy]") {
  try {
    plan_for(5, {{"batch_size", 8}});
    FAIL("accepted batch_size 8 for 5 examples");
  } catch (const ft::Error& e) {
    CHECK(e.param() == "hyperparameters.batch_size");
    CHECK(std::string(e.what()).find("5 training examples") != std::string::npos);
    CHECK(std::string(e.what()).find("from 1 to 5") != std::string::npos);
  }
}

TEST_CASE("Auto values and a missing hyperparameters object leave every choice to the policy", "[policy]") {
  const json all_auto = {{"n_epochs", "auto"}, {"batch_size", "auto"}, {"learning_rate_multiplier", "auto"},
                         {"prompt_loss_weight", "auto"}};
  for (const json& given : {all_auto, json(nullptr), json::object()}) {
    const ft::HyperparameterPlan plan =
        ft::plan_hyperparameters(given, "auto", training_set(400), gpt3_small_shaped(125'000'000), cpu(64 * gib));
    for (const auto& entry : plan.entries()) CHECK(entry.source == ft::HyperparameterSource::automatic);
    CHECK(plan.number("prompt_loss_weight") == 0.01);
    CHECK(plan.integer("seed") >= 0);
    CHECK(plan.integer("seed") <= 2147483647);
  }
}

TEST_CASE("Micro-batch times accumulation steps is always the batch size", "[policy]") {
  ft::DeviceProbes probes;
  probes.fits_in_memory = [](int64_t micro, int64_t seq) { return micro * seq <= 3000; };
  const ft::MachineSummary machines[] = {{false, 64 * gib, 8}, {false, 16 * gib, 2}, {true, 80 * gib, 16}};
  for (const int64_t examples : {1, 7, 400, 6000, 17000, 50000, 200000}) {
    for (const int64_t tokens_each : {30, 700, 2000}) {
      for (const ft::MachineSummary& machine : machines) {
        INFO(examples << " examples of " << tokens_each << " tokens, gpu " << machine.gpu << ", "
                      << machine.available_memory_bytes << " bytes");
        const ft::HyperparameterPlan plan = ft::plan_hyperparameters(
            json::object(), 1, training_set(examples, tokens_each), gpt3_small_shaped(125'000'000), machine, probes);
        const int64_t batch = plan.integer("batch_size"), micro = plan.integer("micro_batch_size");
        CHECK(micro * plan.integer("gradient_accumulation_steps") == batch);
        CHECK(micro >= 1);
        if (machine.gpu) CHECK(micro == largest_divisor_at_most(batch, 3000 / plan.integer("max_seq_len")));
        if (!machine.gpu) CHECK(plan.integer("estimated_memory_bytes") < int64_t(machine.available_memory_bytes));
      }
    }
  }
}

TEST_CASE("On the GPU the micro-batch is probed largest first and the reason lists the probes", "[policy]") {
  std::vector<int64_t> probed;
  ft::DeviceProbes probes;
  probes.fits_in_memory = [&](int64_t micro, int64_t) {
    probed.push_back(micro);
    return micro <= 6;
  };
  const ft::HyperparameterPlan plan = ft::plan_hyperparameters(
      {{"batch_size", 16}}, 1, training_set(1000), gpt3_small_shaped(125'000'000), {true, 80 * gib, 16}, probes);
  CHECK(plan.integer("micro_batch_size") == 4);
  CHECK(plan.integer("gradient_accumulation_steps") == 4);
  REQUIRE_FALSE(probed.empty());
  CHECK(probed.front() == 16);
  CHECK(probed.size() <= 4);
  CHECK(plan.at("micro_batch_size").reason.find("16 does not") != std::string::npos);
  CHECK(plan.at("micro_batch_size").reason.find("4 fits") != std::string::npos);
}

TEST_CASE("A CPU plan for the tiny-llama fixture fits the machine", "[policy]") {
  const ft::ModelConfig config = ft::read_model_config(FT_FIXTURES "/hf/tiny-llama/config.json");
  const ft::ModelSummary model = ft::summarize_model(config, true);
  const ft::MachineSummary machine{false, 8 * gib, 2};
  const ft::HyperparameterPlan plan = ft::plan_hyperparameters(json::object(), 7, training_set(3000, 90), model, machine);
  CHECK(plan.integer("batch_size") == 6);
  CHECK(plan.integer("micro_batch_size") * plan.integer("gradient_accumulation_steps") == 6);
  CHECK(plan.integer("micro_batch_size") == 6);  // a 0.1M-parameter model fits whole batches
  CHECK(plan.integer("max_seq_len") == 96);
  CHECK(plan.integer("estimated_memory_bytes") > 16 * ft::parameter_count(config));
  CHECK(plan.integer("estimated_memory_bytes") < int64_t(machine.available_memory_bytes));
  CHECK(plan.at("estimated_seconds").value.is_null());
  check_every_entry_explained(plan);
}

TEST_CASE("The run's time comes from a measured micro-batch and optimizer step", "[policy]") {
  ft::DeviceProbes probes;
  std::vector<std::tuple<int64_t, int64_t, int>> timed;
  probes.measured_seconds_per_micro_batch = [&](int64_t micro, int64_t seq, int threads) {
    timed.emplace_back(micro, seq, threads);
    return threads == 8 ? 0.5 : 0.9;
  };
  std::vector<int> optimizer_threads;
  probes.measured_seconds_per_optimizer_step = [&](int threads) {
    optimizer_threads.push_back(threads);
    return 0.01;
  };
  const ft::HyperparameterPlan plan = ft::plan_hyperparameters(json::object(), 1, training_set(400, 100),
                                                               gpt3_small_shaped(125'000'000), cpu(64 * gib), probes);
  REQUIRE(timed.size() == 2);
  CHECK(std::get<0>(timed[0]) == plan.integer("micro_batch_size"));
  CHECK(std::get<1>(timed[0]) == plan.integer("max_seq_len"));
  // Every vCPU and half of them; 8 are faster.
  CHECK(std::get<2>(timed[0]) == 8);
  CHECK(std::get<2>(timed[1]) == 4);
  CHECK(plan.integer("threads") == 8);
  // The optimizer step is timed once, with the threads chosen.
  CHECK(optimizer_threads == std::vector<int>{8});
  // 0.5 s per 1 x 104 tokens, 400 x 100 tokens x 3 epochs, and 0.01 s per optimizer step.
  CHECK(plan.integer("total_tokens") == 120000);
  const double steps = static_cast<double>(plan.integer("total_steps"));
  CHECK(plan.number("estimated_seconds") == Approx(0.5 / 104 * 120000 + steps * 0.01).epsilon(0.005));
  CHECK(plan.at("estimated_seconds").reason.find("optimizer steps") != std::string::npos);
}

TEST_CASE("Threads: fewer unless more are at least 5% faster", "[policy]") {
  ft::DeviceProbes probes;
  double with_all = 0.98;
  probes.measured_seconds_per_micro_batch = [&](int64_t, int64_t, int threads) { return threads == 8 ? with_all : 1.0; };
  auto plan = [&] {
    return ft::plan_hyperparameters(json::object(), 1, training_set(400, 100), gpt3_small_shaped(125'000'000),
                                    cpu(64 * gib), probes);
  };
  const auto hyper_threads = plan();
  CHECK(hyper_threads.integer("threads") == 4);
  CHECK(hyper_threads.at("threads").reason.find("were not 5% faster") != std::string::npos);
  CHECK(hyper_threads.number("estimated_seconds") == Approx(1.0 / 104 * 120000).epsilon(0.005));
  with_all = 0.9;
  CHECK(plan().integer("threads") == 8);
  // Nothing timed: every vCPU, and no time estimate.
  const auto untimed = ft::plan_hyperparameters(json::object(), 1, training_set(400, 100), gpt3_small_shaped(125'000'000),
                                                cpu(64 * gib));
  CHECK(untimed.integer("threads") == 8);
  CHECK(untimed.at("estimated_seconds").value.is_null());
}

TEST_CASE("The time estimate counts the padding of the packed micro-batches", "[policy]") {
  // Four examples, one micro-batch of 4 packed into rows of 304: 300 | 200 + 100 | 150, three rows
  // of 300 positions for 750 tokens, 1.2 positions per token.
  ft::DatasetStatistics data = training_set(4, 100);
  data.example_tokens = {300, 200, 150, 100};
  data.total_tokens = 750;
  data.min_tokens = 100;
  data.max_tokens = data.p95_tokens = 300;
  data.mean_tokens = 187.5;
  ft::DeviceProbes probes;
  probes.measured_seconds_per_micro_batch = [](int64_t micro, int64_t seq, int) { return 0.001 * double(micro * seq); };
  const json request = {{"batch_size", 4}, {"n_epochs", 1}, {"learning_rate_probe", "off"}};
  const auto plan = ft::plan_hyperparameters(request, 1, data, gpt3_small_shaped(125'000'000), cpu(64 * gib), probes);
  REQUIRE(plan.integer("micro_batch_size") == 4);
  REQUIRE(plan.integer("max_seq_len") == 304);
  CHECK(plan.number("estimated_seconds") == Approx(0.001 * 1.2 * 750).epsilon(0.005));
  CHECK(plan.at("estimated_seconds").reason.find("packed micro-batches (1.2 positions per token)") != std::string::npos);
  // Without per-example lengths every token is taken as a position.
  data.example_tokens.clear();
  const auto unpadded = ft::plan_hyperparameters(request, 1, data, gpt3_small_shaped(125'000'000), cpu(64 * gib), probes);
  CHECK(unpadded.number("estimated_seconds") == Approx(0.001 * 750).epsilon(0.005));
}

TEST_CASE("max_seq_len is the longest example rounded up to 8 and capped at the context", "[policy]") {
  ft::DatasetStatistics data = training_set(400, 100);
  data.max_tokens = 117;
  const ft::ModelSummary model = gpt3_small_shaped(125'000'000);
  CHECK(ft::plan_hyperparameters(json::object(), 1, data, model, cpu(64 * gib)).integer("max_seq_len") == 120);
  data.max_tokens = 120;
  CHECK(ft::plan_hyperparameters(json::object(), 1, data, model, cpu(64 * gib)).integer("max_seq_len") == 120);
  data.max_tokens = 3000;
  const ft::HyperparameterPlan capped = ft::plan_hyperparameters(json::object(), 1, data, model, cpu(64 * gib));
  CHECK(capped.integer("max_seq_len") == 2048);
  CHECK(capped.at("max_seq_len").reason.find("truncated") != std::string::npos);
}

TEST_CASE("Step counts and warm-up and tokens follow from the epochs and the batch", "[policy]") {
  const ft::HyperparameterPlan plan = plan_for(8334);  // 2 epochs of batches of 17
  CHECK(plan.integer("steps_per_epoch") == 491);     // ceil(8334 / 17)
  CHECK(plan.integer("total_steps") == 982);
  CHECK(plan.integer("warmup_steps") == 30);  // ceil(3% of 982)
  CHECK(plan.integer("total_tokens") == 8334 * 100 * 2);
  CHECK(plan.number("weight_decay") == 0.1);
  CHECK(plan.number("adam_beta1") == 0.9);
  CHECK(plan.number("adam_beta2") == 0.95);
  CHECK(plan.number("adam_epsilon") == 1e-8);
  CHECK(plan.number("max_grad_norm") == 1.0);
}

TEST_CASE("A freshly initialised model is trained with pre-training rules", "[policy]") {
  const ft::ModelConfig config = *ft::architecture_preset("tiny-llama", 512);
  const ft::ModelSummary model = ft::summarize_model(config, false);
  const int64_t parameters = ft::parameter_count(config);

  SECTION("a small data set is repeated up to 50 epochs") {
    const ft::HyperparameterPlan plan = ft::plan_hyperparameters(json::object(), 1, training_set(100, 50), model, cpu(8 * gib));
    CHECK(20 * parameters > 50 * 5000);  // Chinchilla's tokens are more than 50 epochs hold
    CHECK(plan.integer("n_epochs") == 50);
    CHECK(plan.number("learning_rate_multiplier") == 1.0);
    // Below GPT-3 Small, Table 2.1's power law (6e-4 at 125M, 6e-5 at 175B) extended to the size.
    const double extrapolated = 6e-4 * std::pow(125e6 / double(parameters), std::log(10.0) / std::log(1400.0));
    CHECK(plan.number("learning_rate") == Approx(extrapolated).epsilon(0.005));
    CHECK(plan.number("learning_rate") > 6e-4);
    // Batches of one token per 250 parameters (GPT-3 Small: 0.5M tokens for 125M), in 50-token examples.
    CHECK(plan.integer("batch_size") == std::clamp<int64_t>(std::llround(parameters / 250.0 / 50.0), 1, 100));
    CHECK(plan.number("prompt_loss_weight") == 1.0);
    CHECK(plan.integer("warmup_steps") == (plan.integer("total_steps") + 9) / 10);
    for (const char* name : {"n_epochs", "batch_size", "learning_rate", "learning_rate_multiplier", "prompt_loss_weight",
                             "warmup_steps"}) {
      INFO(name);
      CHECK(plan.at(name).reason.find("freshly initialised") != std::string::npos);
    }
  }
  SECTION("a large data set is seen until 20 tokens per parameter") {
    const int64_t tokens_each = 100, examples = 20 * parameters / tokens_each / 3;  // about 3 epochs' worth
    const ft::HyperparameterPlan plan =
        ft::plan_hyperparameters(json::object(), 1, training_set(examples, tokens_each), model, cpu(8 * gib));
    const int64_t epoch_tokens = examples * tokens_each;
    CHECK(plan.integer("n_epochs") == (20 * parameters + epoch_tokens - 1) / epoch_tokens);
    CHECK(plan.integer("n_epochs") * epoch_tokens >= 20 * parameters);
  }
  SECTION("a user's epochs and multiplier still win") {
    const ft::HyperparameterPlan plan = ft::plan_hyperparameters(
        {{"n_epochs", 2}, {"learning_rate_multiplier", 0.5}}, 1, training_set(100, 50), model, cpu(8 * gib));
    CHECK(plan.integer("n_epochs") == 2);
    const double extrapolated = 6e-4 * std::pow(125e6 / double(parameters), std::log(10.0) / std::log(1400.0));
    CHECK(plan.number("learning_rate") == Approx(0.5 * extrapolated).epsilon(0.01));
  }
}

TEST_CASE("A model that cannot train one sequence on the machine is refused", "[policy]") {
  try {
    ft::plan_hyperparameters(json::object(), 1, training_set(400), gpt3_small_shaped(125'000'000), cpu(1 * gib));
    FAIL("planned 125M parameters in 1 GiB");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_argument);
    CHECK(e.param() == "model");
  }
}

TEST_CASE("A training set with no tokens is refused", "[policy]") {
  try {
    ft::plan_hyperparameters(json::object(), 1, ft::DatasetStatistics{}, gpt3_small_shaped(125'000'000), cpu(64 * gib));
    FAIL("planned an empty training set");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
    CHECK(e.param() == "training_file");
  }
}
