#include "engine/planning/hyperparameter_request.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"
#include "engine/planning/hyperparameter_limits.h"
#include "engine/planning/reason_numbers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ft {
namespace {

using nlohmann::json;

// What one settable value must be.
struct Allowed {
  const char* name;
  bool integer;
  double min;
  bool min_inclusive;
  double max;
  bool max_inclusive = true;
};

constexpr double unbounded = std::numeric_limits<double>::infinity();

constexpr Allowed n_epochs{"n_epochs", true, 1, true, kMostEpochs};
constexpr Allowed batch_size{"batch_size", true, 1, true, kMostBatchSize};
constexpr Allowed learning_rate_multiplier{"learning_rate_multiplier", false, 0, false, unbounded};
constexpr Allowed prompt_loss_weight{"prompt_loss_weight", false, 0, true, 1};
constexpr Allowed seed_rule{"seed", true, 0, true, kMostSeed};

// LoRA (docs/hyperparameters.md): a dropout of 1 would drop every input.
constexpr Allowed lora_rank{"lora_rank", true, 1, true, kMostLoraRank};
constexpr Allowed lora_alpha{"lora_alpha", false, 0, false, unbounded};
constexpr Allowed lora_dropout{"lora_dropout", false, 0, true, 1, false};
constexpr const char* lora_target_modules = "lora_target_modules";
constexpr const char* precision = "precision";
constexpr const char* learning_rate_probe = "learning_rate_probe";
constexpr const char* epoch_selection = "epoch_selection";

constexpr Allowed checkpoint_interval_steps{"checkpoint_interval_steps", true, 1, true, kMostCheckpointIntervalSteps};

constexpr const Allowed* settable[] = {&n_epochs,  &batch_size, &learning_rate_multiplier, &prompt_loss_weight,
                                       &lora_rank, &lora_alpha, &lora_dropout,             &checkpoint_interval_steps};

bool positive_only(const Allowed& a) { return !a.min_inclusive && a.min == 0 && a.max == unbounded; }

// "1 to 50", "positive", "0 to less than 1": the range alone, as the list of names gives it.
std::string range_of(const Allowed& a) {
  if (positive_only(a)) return "positive";
  const auto bound = [&](double x) { return a.integer ? reason::num(static_cast<int64_t>(x)) : reason::num(x); };
  return bound(a.min) + " to " + (a.max_inclusive ? "" : "less than ") + bound(a.max);
}

// Completes "must be "auto" or ...": "an integer from 1 to 50", "a positive number".
std::string description_of(const Allowed& a) {
  const char* kind = a.integer ? "integer" : "number";
  if (positive_only(a)) return std::string("a positive ") + kind;
  return std::string(a.integer ? "an " : "a ") + kind + " from " + range_of(a);
}

// "n_epochs (1 to 50), batch_size (1 to 256), ...": the names a request may set, with their ranges.
std::string settable_names() {
  std::string names;
  for (const Allowed* a : settable) names += std::string(a->name) + " (" + range_of(*a) + "), ";
  return names + lora_target_modules + " (a list of projection names)";
}

bool within(const Allowed& a, double x) {
  const bool above_min = a.min_inclusive ? x >= a.min : x > a.min;
  const bool below_max = a.max_inclusive ? x <= a.max : x < a.max;
  return std::isfinite(x) && above_min && below_max;
}

// The value, or nullopt for "auto"; `param` is how the request names it.
std::optional<double> read(const json& value, const Allowed& a, const std::string& param) {
  if (value.is_string() && value.get<std::string>() == "auto") return std::nullopt;
  const bool right_type = a.integer ? value.is_number_integer() : value.is_number();
  if (!right_type || !within(a, value.get<double>())) {
    throw Error(ErrorKind::invalid_argument,
                param + " must be \"auto\" or " + description_of(a) + ", found " + json_excerpt(value), param);
  }
  return value.get<double>();
}

std::optional<double> read_setting(const json& hyperparameters, const Allowed& a) {
  if (!hyperparameters.contains(a.name)) return std::nullopt;
  return read(hyperparameters.at(a.name), a, std::string("hyperparameters.") + a.name);
}

std::optional<int64_t> as_integer(std::optional<double> x) {
  if (!x) return std::nullopt;
  return static_cast<int64_t>(*x);
}

void reject_unknown_names(const json& hyperparameters) {
  for (const auto& item : hyperparameters.items()) {
    bool known = false;
    for (const Allowed* a : settable) known = known || item.key() == a->name;
    if (known || item.key() == lora_target_modules || item.key() == precision || item.key() == learning_rate_probe ||
        item.key() == epoch_selection) {
      continue;
    }
    const std::string param = "hyperparameters." + utf8_prefix(item.key(), 60);
    throw Error(ErrorKind::invalid_argument,
                param + " is not a hyper-parameter that can be set; the ones that can are " + settable_names() +
                    ", precision (\"bf16\" or \"fp32\"), learning_rate_probe (\"on\" or \"off\") and epoch_selection "
                    "(\"best_validation\" or \"last\"), each a value or \"auto\"",
                param);
  }
}

// "auto", or a non-empty list of distinct names; whether the model has them is the policy's check.
std::optional<std::vector<std::string>> read_target_modules(const json& hyperparameters) {
  if (!hyperparameters.contains(lora_target_modules)) return std::nullopt;
  const json& value = hyperparameters.at(lora_target_modules);
  if (value.is_string() && value.get<std::string>() == "auto") return std::nullopt;
  const std::string param = std::string("hyperparameters.") + lora_target_modules;
  const Error wrong(ErrorKind::invalid_argument,
                    param + " must be \"auto\" or a non-empty list of distinct projection names such as [\"q_proj\", "
                            "\"v_proj\"], found " + json_excerpt(value),
                    param);
  if (!value.is_array() || value.empty()) throw wrong;
  std::vector<std::string> names;
  for (const auto& name : value) {
    if (!name.is_string() || name.get<std::string>().empty()) throw wrong;
    if (std::find(names.begin(), names.end(), name.get<std::string>()) != names.end()) throw wrong;
    names.push_back(name.get<std::string>());
  }
  return names;
}

// "auto" or one of `choices` (two of them), for `name`.
std::optional<std::string> read_choice(const json& hyperparameters, const char* name, const char* first, const char* second) {
  if (!hyperparameters.contains(name)) return std::nullopt;
  const json& value = hyperparameters.at(name);
  if (value == "auto") return std::nullopt;
  if (value == first || value == second) return value.get<std::string>();
  const std::string param = std::string("hyperparameters.") + name;
  throw Error(ErrorKind::invalid_argument,
              param + " must be \"auto\", \"" + first + "\" or \"" + second + "\", found " + utf8_prefix(value.dump(), 60), param);
}

}  // namespace

HyperparameterRequest parse_hyperparameter_request(const json& hyperparameters, const json& seed) {
  if (!hyperparameters.is_null() && !hyperparameters.is_object()) {
    throw Error(ErrorKind::invalid_argument,
                "hyperparameters must be an object of names to values or \"auto\", found " + json_excerpt(hyperparameters),
                "hyperparameters");
  }
  static const json none_set = json::object();
  const json& given = hyperparameters.is_null() ? none_set : hyperparameters;
  reject_unknown_names(given);
  HyperparameterRequest r;
  r.n_epochs = as_integer(read_setting(given, n_epochs));
  r.batch_size = as_integer(read_setting(given, batch_size));
  r.learning_rate_multiplier = read_setting(given, learning_rate_multiplier);
  r.prompt_loss_weight = read_setting(given, prompt_loss_weight);
  r.lora_rank = as_integer(read_setting(given, lora_rank));
  r.lora_alpha = read_setting(given, lora_alpha);
  r.lora_dropout = read_setting(given, lora_dropout);
  r.lora_target_modules = read_target_modules(given);
  r.precision = read_choice(given, precision, "bf16", "fp32");
  r.learning_rate_probe = read_choice(given, learning_rate_probe, "on", "off");
  r.epoch_selection = read_choice(given, epoch_selection, "best_validation", "last");
  r.checkpoint_interval_steps = as_integer(read_setting(given, checkpoint_interval_steps));
  if (!seed.is_null()) r.seed = as_integer(read(seed, seed_rule, "seed"));
  return r;
}

}  // namespace ft
