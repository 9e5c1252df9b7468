// A standalone SVG chart of a job's metrics: train and validation loss (left axis) and learning
// rate (right axis) over steps, with axes, tick labels, a title and a legend. Opens in a browser.
#pragma once

#include "metrics_series.h"

#include <string>

namespace fthost {

std::string svg_chart(const MetricsSeries& series, const std::string& title);

}  // namespace fthost
