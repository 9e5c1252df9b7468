#include "engine/planning/hyperparameter_plan.h"

#include "engine/core/error.h"

namespace ft {

const char* to_string(HyperparameterSource source) {
  return source == HyperparameterSource::user ? "user" : "auto";
}

void HyperparameterPlan::add(ResolvedHyperparameter entry) {
  if (contains(entry.name)) {
    throw Error(ErrorKind::internal, "hyper-parameter \"" + entry.name + "\" was resolved twice");
  }
  entries_.push_back(std::move(entry));
}

void HyperparameterPlan::replace(ResolvedHyperparameter entry) {
  for (auto& e : entries_) {
    if (e.name == entry.name) {
      e = std::move(entry);
      return;
    }
  }
  throw Error(ErrorKind::not_found, "the plan has no hyper-parameter \"" + entry.name + "\" to replace", entry.name);
}

bool HyperparameterPlan::contains(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return true;
  }
  return false;
}

const ResolvedHyperparameter& HyperparameterPlan::at(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return e;
  }
  throw Error(ErrorKind::not_found, "the plan has no hyper-parameter \"" + name + "\"", name);
}

int64_t HyperparameterPlan::integer(const std::string& name) const {
  const nlohmann::json& v = at(name).value;
  if (v.is_number_integer()) return v.get<int64_t>();
  throw Error(ErrorKind::invalid_input, "hyper-parameter \"" + name + "\" is " + v.dump() + ", not an integer", name);
}

double HyperparameterPlan::number(const std::string& name) const {
  const nlohmann::json& v = at(name).value;
  if (!v.is_number()) throw Error(ErrorKind::invalid_input, "hyper-parameter \"" + name + "\" is " + v.dump() + ", not a number", name);
  return v.get<double>();
}

std::string HyperparameterPlan::text(const std::string& name) const {
  const nlohmann::json& v = at(name).value;
  if (!v.is_string()) throw Error(ErrorKind::invalid_input, "hyper-parameter \"" + name + "\" is " + v.dump() + ", not a string", name);
  return v.get<std::string>();
}

nlohmann::json to_json(const HyperparameterPlan& plan) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& e : plan.entries()) {
    j[e.name] = {{"value", e.value}, {"source", to_string(e.source)}, {"reason", e.reason}};
  }
  return j;
}

}  // namespace ft
