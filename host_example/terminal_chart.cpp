#include "terminal_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace fthost {

namespace {

std::string braille(int bits) {
  const int code = 0x2800 + bits;
  std::string s;
  s += char(0xE0 | (code >> 12));
  s += char(0x80 | ((code >> 6) & 0x3F));
  s += char(0x80 | (code & 0x3F));
  return s;
}

std::string label(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%8.3f", v);
  return text;
}

}  // namespace

std::vector<std::string> terminal_chart(const std::vector<ChartSeries>& series, int width, int height,
                                        const std::string& x_label) {
  double x0 = std::numeric_limits<double>::max(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
  }
  if (x0 > x1) return {"(no metrics yet)"};
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1, y0 = y0 - 1;
  width = std::max(width, 10), height = std::max(height, 4);
  const int dots_x = width * 2, dots_y = height * 4;
  // Each series gets its own grid so that a cell shows its own series' dots; where two meet the
  // dots are merged.
  std::vector<std::vector<int>> cells(height, std::vector<int>(width, 0));
  static const int bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
  auto plot = [&](double x, double y, bool dense) {
    const int dx = std::clamp(int(std::lround((x - x0) / (x1 - x0) * (dots_x - 1))), 0, dots_x - 1);
    const int dy = std::clamp(int(std::lround((y1 - y) / (y1 - y0) * (dots_y - 1))), 0, dots_y - 1);
    cells[dy / 4][dx / 2] |= bit[dy % 4][dx % 2];
    if (dense && dy % 4 < 3) cells[dy / 4][dx / 2] |= bit[dy % 4 + 1][dx % 2];  // thicker: tells the series apart
  };
  for (size_t si = 0; si < series.size(); ++si) {
    const auto& pts = series[si].points;
    for (size_t i = 0; i < pts.size(); ++i) {
      plot(pts[i].x, pts[i].y, si > 0);
      if (i + 1 < pts.size()) {  // join to the next point
        const int steps = 8;
        for (int k = 1; k < steps; ++k) {
          const double t = double(k) / steps;
          plot(pts[i].x + t * (pts[i + 1].x - pts[i].x), pts[i].y + t * (pts[i + 1].y - pts[i].y), si > 0);
        }
      }
    }
  }
  std::vector<std::string> lines;
  for (int r = 0; r < height; ++r) {
    std::string line = r == 0 ? label(y1) : r == height - 1 ? label(y0) : r == height / 2 ? label((y0 + y1) / 2) : std::string(8, ' ');
    line += " \u2502";
    for (int c = 0; c < width; ++c) line += cells[r][c] ? braille(cells[r][c]) : " ";
    lines.push_back(line);
  }
  std::string axis = std::string(9, ' ') + "\u2514";
  for (int c = 0; c < width; ++c) axis += "\u2500";
  lines.push_back(axis);
  char ends[128];
  std::snprintf(ends, sizeof ends, "%-10.0f", x0);
  std::string x_line = std::string(10, ' ') + ends;
  std::snprintf(ends, sizeof ends, "%.0f", x1);
  const std::string middle = x_label;
  const int pad = std::max(1, width - 10 - int(middle.size()) - int(std::string(ends).size()));
  x_line += std::string(pad / 2, ' ') + middle + std::string(pad - pad / 2, ' ') + ends;
  lines.push_back(x_line);
  std::string legend = std::string(10, ' ');
  for (size_t si = 0; si < series.size(); ++si) {
    legend += (si ? "   " : "") + std::string(si == 0 ? "\u2801\u2802 thin: " : "\u2807\u2807 thick: ") + series[si].name +
              " (" + std::to_string(series[si].points.size()) + " points)";
  }
  lines.push_back(legend);
  return lines;
}

}  // namespace fthost
