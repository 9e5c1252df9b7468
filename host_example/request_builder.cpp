#include "request_builder.h"

#include "host_error.h"

#include <cstdlib>

namespace fthost {

nlohmann::json parse_value(const std::string& text) {
  if (text.empty()) return text;
  char* end = nullptr;
  const long long integer = std::strtoll(text.c_str(), &end, 10);
  if (*end == '\0') return integer;
  const double number = std::strtod(text.c_str(), &end);
  if (*end == '\0') return number;
  return text;
}

nlohmann::json build_request(const Arguments& a) {
  const std::string model = a.option("--model"), training = a.option("--training-file");
  if (model.empty()) throw HostError("--model is required (a Hugging Face folder or a preset such as tiny-llama)");
  if (training.empty()) throw HostError("--training-file is required (a JSON Lines file, see docs/data.md)");
  nlohmann::json request = {{"model", model}, {"training_file", training}};
  if (auto v = a.option("--validation-file"); !v.empty()) request["validation_file"] = v;
  nlohmann::json hyper = nlohmann::json::object();
  for (const auto& set : a.sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos || eq == 0) throw HostError("--set expects name=value, found \"" + set + "\"");
    hyper[set.substr(0, eq)] = parse_value(set.substr(eq + 1));
  }
  if (!hyper.empty()) request["hyperparameters"] = hyper;
  if (auto s = a.option("--suffix"); !s.empty()) request["suffix"] = s;
  if (auto s = a.option("--seed"); !s.empty()) request["seed"] = parse_value(s);
  if (auto m = a.option("--method"); !m.empty()) request["method"] = m;
  if (a.has("--merge")) request["merge"] = true;
  return request;
}

}  // namespace fthost
