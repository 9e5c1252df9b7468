#include "progress_line.h"

#include "table_printer.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace fthost {

namespace {

std::string duration(double s) {
  if (s < 0) return "?";
  char text[32];
  const long t = long(s + 0.5);
  if (t >= 3600) std::snprintf(text, sizeof text, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(text, sizeof text, "%ldm%02lds", t / 60, t % 60);
  return text;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string progress_text(const ft_progress& p, const char* status_name, int bar_width) {
  const double fraction = p.total_steps > 0 ? double(p.step) / double(p.total_steps) : 0.0;
  std::string line;
  if (bar_width > 0) {
    const int eighths = int(fraction * bar_width * 8);
    static const char* partial[] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
    line += "\u2595";
    for (int i = 0; i < bar_width; ++i) {
      const int cell = eighths - i * 8;
      line += cell >= 8 ? "\u2588" : cell > 0 ? partial[cell] : " ";
    }
    line += "\u258f ";
  }
  char text[256];
  std::snprintf(text, sizeof text, "%3.0f%%  step %lld/%lld  epoch %d/%d", fraction * 100, (long long)p.step,
                (long long)p.total_steps, p.epoch, p.n_epochs);
  line += text;
  if (p.train_loss >= 0) std::snprintf(text, sizeof text, "  loss %.4f", p.train_loss), line += text;
  if (p.tokens_per_second >= 0) std::snprintf(text, sizeof text, "  %.0f tok/s", p.tokens_per_second), line += text;
  line += "  ETA " + duration(p.eta_seconds) + "  " + status_name;
  return line;
}

void ProgressLine::update(const ft_progress& p, const char* status_name) {
  if (terminal_) {
    const int bar = std::max(10, std::min(40, terminal_width() - 90));
    std::cout << "\r\033[K" << progress_text(p, status_name, bar) << std::flush;
    drawn_ = true;
    return;
  }
  const double t = now_s();
  if (t - last_plain_ >= 5.0 || int(p.status) != last_status_) {
    std::cout << progress_text(p, status_name, 0) << std::endl;
    last_plain_ = t;
    last_status_ = int(p.status);
  }
}

void ProgressLine::finish() {
  if (terminal_ && drawn_) std::cout << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace fthost
