// Every hyper-parameter of a training run as resolved before it starts: its value, whether the
// user set it or the policy chose it, and why. Hosts show it as the run's "Hyper-parameters"
// panel, so the reason is part of the result, not a log line.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

enum class HyperparameterSource { automatic, user };

// "auto" or "user", as requests spell it.
const char* to_string(HyperparameterSource source);

struct ResolvedHyperparameter {
  std::string name;
  nlohmann::json value;  // null where there is nothing to state (a time with nothing measured)
  HyperparameterSource source = HyperparameterSource::automatic;
  std::string reason;  // one sentence with the numbers that produced the value
};

class HyperparameterPlan {
 public:
  // Throws ft::Error(internal) when `entry.name` is already in the plan.
  void add(ResolvedHyperparameter entry);
  // Puts `entry` in the place of the one of the same name (a value measured after planning);
  // throws ft::Error(not_found) when there is none.
  void replace(ResolvedHyperparameter entry);

  bool contains(const std::string& name) const;
  // Throw ft::Error(not_found) for a name the plan lacks and ft::Error(invalid_input) for a value
  // of another type.
  const ResolvedHyperparameter& at(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  double number(const std::string& name) const;
  std::string text(const std::string& name) const;

  // In the order the policy resolved them: the ones a later one depends on come first.
  const std::vector<ResolvedHyperparameter>& entries() const { return entries_; }

 private:
  std::vector<ResolvedHyperparameter> entries_;
};

// {"<name>": {"value": ..., "source": "auto" | "user", "reason": "..."}, ...}
nlohmann::json to_json(const HyperparameterPlan& plan);

}  // namespace ft
