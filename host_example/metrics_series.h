// A job's metrics over its steps, read from its "metrics" events (ft_job_events): train loss,
// validation loss (on the steps where it was evaluated) and learning rate. After a resume the
// re-trained steps appear twice in the log; the later value of a step wins.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

namespace fthost {

struct Point {
  double x, y;
};

struct MetricsSeries {
  std::vector<Point> train_loss, valid_loss, learning_rate;
};

MetricsSeries metrics_series(const nlohmann::json& events);

}  // namespace fthost
