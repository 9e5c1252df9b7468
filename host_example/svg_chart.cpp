#include "svg_chart.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

namespace fthost {

namespace {

constexpr double W = 900, H = 500, left = 80, right = 90, top = 50, bottom = 60;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

struct Range {
  double lo = std::numeric_limits<double>::max(), hi = -std::numeric_limits<double>::max();
  void add(const std::vector<Point>& pts, bool x) {
    for (const auto& p : pts) lo = std::min(lo, x ? p.x : p.y), hi = std::max(hi, x ? p.x : p.y);
  }
  void fix() {
    if (lo > hi) lo = 0, hi = 1;
    if (lo == hi) hi = lo + 1;
  }
};

}  // namespace

std::string svg_chart(const MetricsSeries& s, const std::string& title) {
  Range xs, loss, rate;
  xs.add(s.train_loss, true), xs.add(s.valid_loss, true), xs.add(s.learning_rate, true);
  loss.add(s.train_loss, false), loss.add(s.valid_loss, false), rate.add(s.learning_rate, false);
  xs.fix(), loss.fix(), rate.fix();
  loss.lo = std::min(loss.lo, 0.0), rate.lo = 0;
  const double pw = W - left - right, ph = H - top - bottom;
  auto X = [&](double x) { return left + (x - xs.lo) / (xs.hi - xs.lo) * pw; };
  auto Y = [&](double y, const Range& r) { return top + ph - (y - r.lo) / (r.hi - r.lo) * ph; };
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " "
    << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << W / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" << escape(title) << "</text>\n";
  // Axes and ticks.
  o << "<g id=\"axes\" stroke=\"black\" fill=\"none\">\n"
    << "<line x1=\"" << left << "\" y1=\"" << top + ph << "\" x2=\"" << left + pw << "\" y2=\"" << top + ph << "\"/>\n"
    << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << top + ph << "\"/>\n"
    << "<line x1=\"" << left + pw << "\" y1=\"" << top << "\" x2=\"" << left + pw << "\" y2=\"" << top + ph << "\"/>\n"
    << "</g>\n<g id=\"ticks\" fill=\"black\">\n";
  for (int i = 0; i <= 5; ++i) {
    const double t = i / 5.0;
    const double xv = xs.lo + t * (xs.hi - xs.lo), lv = loss.lo + t * (loss.hi - loss.lo), rv = rate.lo + t * (rate.hi - rate.lo);
    o << "<text x=\"" << X(xv) << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">" << fmt(xv) << "</text>\n"
      << "<text x=\"" << left - 6 << "\" y=\"" << Y(lv, loss) + 4 << "\" text-anchor=\"end\">" << fmt(lv) << "</text>\n"
      << "<text x=\"" << left + pw + 6 << "\" y=\"" << Y(rv, rate) + 4 << "\">" << fmt(rv) << "</text>\n"
      << "<line x1=\"" << left << "\" y1=\"" << Y(lv, loss) << "\" x2=\"" << left + pw << "\" y2=\"" << Y(lv, loss)
      << "\" stroke=\"#ddd\"/>\n";
  }
  o << "</g>\n"
    << "<text x=\"" << left + pw / 2 << "\" y=\"" << H - 15 << "\" text-anchor=\"middle\">optimizer step</text>\n"
    << "<text transform=\"translate(20," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">loss</text>\n"
    << "<text transform=\"translate(" << W - 15 << "," << top + ph / 2 << ") rotate(90)\" text-anchor=\"middle\">learning rate</text>\n";
  auto series = [&](const char* id, const std::vector<Point>& pts, const Range& r, const char* color, const char* dash) {
    o << "<polyline id=\"" << id << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\"" << dash << " points=\"";
    for (const auto& p : pts) o << X(p.x) << "," << Y(p.y, r) << " ";
    o << "\"/>\n";
  };
  series("train_loss", s.train_loss, loss, "#1f77b4", "");
  series("valid_loss", s.valid_loss, loss, "#d62728", "");
  series("learning_rate", s.learning_rate, rate, "#2ca02c", " stroke-dasharray=\"6,4\"");
  for (const auto& p : s.valid_loss) o << "<circle cx=\"" << X(p.x) << "\" cy=\"" << Y(p.y, loss) << "\" r=\"3\" fill=\"#d62728\"/>\n";
  // Legend.
  const double lx = left + pw - 200, ly = top + 10;
  o << "<g id=\"legend\">\n<rect x=\"" << lx - 10 << "\" y=\"" << ly - 5 << "\" width=\"200\" height=\"70\" fill=\"white\" stroke=\"#999\"/>\n";
  const char* names[] = {"train loss", "validation loss", "learning rate (right axis)"};
  const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c"};
  for (int i = 0; i < 3; ++i) {
    const double y = ly + 12 + i * 20;
    o << "<line x1=\"" << lx << "\" y1=\"" << y << "\" x2=\"" << lx + 25 << "\" y2=\"" << y << "\" stroke=\"" << colors[i]
      << "\" stroke-width=\"2\"" << (i == 2 ? " stroke-dasharray=\"6,4\"" : "") << "/>\n"
      << "<text x=\"" << lx + 32 << "\" y=\"" << y + 4 << "\">" << names[i] << "</text>\n";
  }
  o << "</g>\n</svg>\n";
  return o.str();
}

}  // namespace fthost
