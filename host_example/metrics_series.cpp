#include "metrics_series.h"

#include <map>

namespace fthost {

MetricsSeries metrics_series(const nlohmann::json& events) {
  std::map<double, double> train, valid, rate;
  for (const auto& e : events) {
    if (e.value("type", "") != "metrics" || !e["data"].is_object()) continue;
    const auto& d = e["data"];
    const double step = d.value("step", 0.0);
    if (d.contains("train_loss") && d["train_loss"].is_number()) train[step] = d["train_loss"].get<double>();
    if (d.contains("valid_loss") && d["valid_loss"].is_number()) valid[step] = d["valid_loss"].get<double>();
    if (d.contains("learning_rate") && d["learning_rate"].is_number()) rate[step] = d["learning_rate"].get<double>();
  }
  MetricsSeries s;
  for (auto [x, y] : train) s.train_loss.push_back({x, y});
  for (auto [x, y] : valid) s.valid_loss.push_back({x, y});
  for (auto [x, y] : rate) s.learning_rate.push_back({x, y});
  return s;
}

}  // namespace fthost
