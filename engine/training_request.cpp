#include "engine/training_request.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"

#include <set>

namespace ft {
namespace {

// `param` may be a caller's unknown key: cut short like any quoted text.
[[noreturn]] void reject(const std::string& param, const std::string& problem) {
  const auto name = utf8_prefix(param, 60);
  throw Error(ErrorKind::invalid_argument, "request: \"" + name + "\" " + problem, name);
}

std::string required_text(const nlohmann::json& request, const std::string& key) {
  if (!request.contains(key) || request[key].is_null()) reject(key, "is required");
  if (!request[key].is_string() || request[key].get<std::string>().empty()) reject(key, "must be a non-empty string");
  return request[key].get<std::string>();
}

TrainingMethod method_of(const nlohmann::json& m) {
  const nlohmann::json& named = m.is_object() && m.contains("type") ? m["type"] : m;
  const auto name = named.is_string() ? named.get<std::string>() : "";
  if (name == "auto") return TrainingMethod::automatic;
  if (name == "full") return TrainingMethod::full;
  if (name == "lora") return TrainingMethod::lora;
  reject("method", "must be \"auto\", \"full\" or \"lora\" (or {\"type\": one of them}), found " + json_excerpt(m));
}

}  // namespace

const char* to_string(TrainingMethod method) {
  switch (method) {
    case TrainingMethod::automatic: return "auto";
    case TrainingMethod::full: return "full";
    case TrainingMethod::lora: return "lora";
  }
  return "auto";
}

TrainingRequest parse_training_request(const nlohmann::json& request) {
  if (!request.is_object()) throw Error(ErrorKind::invalid_argument, "request: must be a JSON object", "request");
  const std::set<std::string> known = {"model", "training_file", "validation_file", "method", "merge", "hyperparameters", "suffix", "seed"};
  for (const auto& [key, value] : request.items()) {
    if (!known.count(key)) {
      reject(key, "is not a request field (known: model, training_file, validation_file, method, merge, hyperparameters, suffix, seed)");
    }
  }
  TrainingRequest r;
  r.model = required_text(request, "model");
  r.training_file = required_text(request, "training_file");
  if (request.contains("validation_file") && !request["validation_file"].is_null()) {
    r.validation_file = required_text(request, "validation_file");
  }
  if (request.contains("method") && !request["method"].is_null()) r.method = method_of(request["method"]);
  if (request.contains("merge") && !request["merge"].is_null()) {
    if (!request["merge"].is_boolean()) reject("merge", "must be true or false");
    r.merge = request["merge"].get<bool>();
    if (r.merge && r.method == TrainingMethod::full) reject("merge", "applies to LoRA; the request's method is \"full\"");
  }
  if (request.contains("hyperparameters") && !request["hyperparameters"].is_null()) {
    if (!request["hyperparameters"].is_object()) reject("hyperparameters", "must be an object");
    r.hyperparameters = request["hyperparameters"];
  }
  if (request.contains("suffix") && !request["suffix"].is_null()) {
    r.suffix = required_text(request, "suffix");
    for (char c : r.suffix) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        reject("suffix", "may contain only letters, digits, '-', '_' and '.'");
      }
    }
    if (r.suffix.size() > 64) reject("suffix", "must be at most 64 characters");
  }
  r.seed = request.value("seed", nlohmann::json());
  return r;
}

nlohmann::json to_json(const TrainingRequest& r) {
  nlohmann::json j = {{"model", r.model}, {"training_file", r.training_file.string()},
                      {"hyperparameters", r.hyperparameters}, {"seed", r.seed}, {"method", to_string(r.method)},
                      {"merge", r.merge}};
  j["validation_file"] = r.validation_file ? nlohmann::json(r.validation_file->string()) : nlohmann::json();
  if (!r.suffix.empty()) j["suffix"] = r.suffix;
  return j;
}

}  // namespace ft
