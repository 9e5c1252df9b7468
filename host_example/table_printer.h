// Prints rows as aligned columns; the last column may wrap to the terminal's width.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fthost {

class TablePrinter {
 public:
  explicit TablePrinter(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // width: the terminal's columns; the last column wraps to fit (at least 30 columns of it).
  void print(std::ostream& out, int width) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Columns of the terminal on stdout, or 100 when it is not one.
int terminal_width();
// Whether stdout is a terminal.
bool stdout_is_terminal();

}  // namespace fthost
