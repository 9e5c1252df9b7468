#include "table_printer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace fthost {

namespace {

// Display width of UTF-8 text: counts code points, not bytes.
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\n') {
      flush_word();
    } else {
      word += c;
    }
  }
  flush_word();
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

int terminal_width() {
  winsize w{};
  if (stdout_is_terminal() && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

void TablePrinter::print(std::ostream& out, int width) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t c = 0; c < headers_.size(); ++c) widths[c] = display_width(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  size_t used = 0;
  for (size_t c = 0; c + 1 < widths.size(); ++c) used += widths[c] + 2;
  const size_t last = std::max<size_t>(30, width > int(used) ? size_t(width) - used : 30);
  auto line = [&](const std::vector<std::string>& row) {
    std::vector<std::string> tail = wrap(row.empty() ? "" : row.back(), last);
    for (size_t l = 0; l < tail.size(); ++l) {
      for (size_t c = 0; c + 1 < widths.size(); ++c) {
        const std::string cell = l == 0 && c < row.size() ? row[c] : "";
        out << cell << std::string(widths[c] - display_width(cell) + 2, ' ');
      }
      out << tail[l] << "\n";
    }
  };
  line(headers_);
  std::vector<std::string> rule;
  for (size_t c = 0; c < widths.size(); ++c) rule.push_back(std::string(std::min(widths[c], last), '-'));
  line(rule);
  for (const auto& row : rows_) line(row);
}

}  // namespace fthost
