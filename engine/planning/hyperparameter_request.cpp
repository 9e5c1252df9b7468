#include "engine/planning/hyperparameter_request.h"

#include "engine/core/error.h"

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
  const char* description;  // completes "must be "auto" or ..."
};

constexpr double unbounded = std::numeric_limits<double>::infinity();

constexpr Allowed n_epochs{"n_epochs", true, 1, true, 50, "an integer from 1 to 50"};
constexpr Allowed batch_size{"batch_size", true, 1, true, 256, "an integer from 1 to 256"};
constexpr Allowed learning_rate_multiplier{"learning_rate_multiplier", false, 0, false, unbounded, "a positive number"};
constexpr Allowed prompt_loss_weight{"prompt_loss_weight", false, 0, true, 1, "a number from 0 to 1"};
// Within 31 bits, so that every JSON reader (JavaScript's included) holds it exactly and every
// seeding API (torch, NumPy, std::mt19937) takes it.
constexpr Allowed seed_rule{"seed", true, 0, true, 2147483647, "an integer from 0 to 2147483647"};

constexpr const Allowed* settable[] = {&n_epochs, &batch_size, &learning_rate_multiplier, &prompt_loss_weight};

bool within(const Allowed& a, double x) {
  const bool above_min = a.min_inclusive ? x >= a.min : x > a.min;
  return std::isfinite(x) && above_min && x <= a.max;
}

// The value, or nullopt for "auto"; `param` is how the request names it.
std::optional<double> read(const json& value, const Allowed& a, const std::string& param) {
  if (value.is_string() && value.get<std::string>() == "auto") return std::nullopt;
  const bool right_type = a.integer ? value.is_number_integer() : value.is_number();
  if (!right_type || !within(a, value.get<double>())) {
    throw Error(ErrorKind::invalid_argument,
                param + " must be \"auto\" or " + a.description + ", found " + value.dump(), param);
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
    if (known) continue;
    const std::string param = "hyperparameters." + item.key();
    throw Error(ErrorKind::invalid_argument,
                param + " is not a hyper-parameter that can be set; the ones that can are n_epochs (1 to 50), "
                        "batch_size (1 to 256), learning_rate_multiplier (positive) and prompt_loss_weight (0 to 1), "
                        "each a value or \"auto\"",
                param);
  }
}

}  // namespace

HyperparameterRequest parse_hyperparameter_request(const json& hyperparameters, const json& seed) {
  if (!hyperparameters.is_null() && !hyperparameters.is_object()) {
    throw Error(ErrorKind::invalid_argument,
                "hyperparameters must be an object of names to values or \"auto\", found " + hyperparameters.dump(),
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
  if (!seed.is_null()) r.seed = as_integer(read(seed, seed_rule, "seed"));
  return r;
}

}  // namespace ft
