// Reading a JSON Lines file one line at a time, with the tolerance users' files need (a UTF-8
// byte order mark, CRLF line ends) and a cap on line length, so that one enormous line cannot
// exhaust memory: it is skipped and reported as too long.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace ft {

struct JsonLine {
  int64_t number = 0;     // 1-based and counting blank lines, as an editor numbers them
  std::string text;       // without its line end (LF or CRLF) and, on line 1, the byte order mark
  bool too_long = false;  // longer than the reader's cap; `text` is then empty
};

class JsonLinesReader {
 public:
  // Throws ft::Error naming the file: not_found when it is not a regular file, io when it cannot
  // be opened.
  JsonLinesReader(const std::filesystem::path& path, size_t max_line_bytes);

  // Reads the next line into `line`; false at the end of the file. Throws ft::Error(io) when a
  // read fails.
  bool next(JsonLine& line);

 private:
  bool refill();  // false at the end of the file

  std::filesystem::path path_;
  std::ifstream in_;
  size_t max_line_bytes_;
  int64_t line_number_ = 0;
  std::string buffer_;
  size_t buffer_pos_ = 0;
};

}  // namespace ft
