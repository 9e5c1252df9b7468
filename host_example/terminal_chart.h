// Line charts in the terminal drawn with Unicode braille characters (2 x 4 dots per cell), sized
// to the window: the train and validation loss of a job over its steps.
#pragma once

#include "metrics_series.h"

#include <string>
#include <vector>

namespace fthost {

struct ChartSeries {
  std::string name;
  std::vector<Point> points;
  char marker;  // shown in the legend next to the name: the series are told apart by it
};

// Returns the chart as lines of text: a y axis with labels, the plot, an x axis, a legend.
// width and height are in character cells of the plot area.
std::vector<std::string> terminal_chart(const std::vector<ChartSeries>& series, int width, int height,
                                        const std::string& x_label);

}  // namespace fthost
