#include "engine/data/jsonl_reader.h"

#include "engine/core/error.h"

#include <cstring>

namespace ft {

namespace {

constexpr size_t read_chunk_bytes = 64u << 10;
constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";

}  // namespace

JsonLinesReader::JsonLinesReader(const std::filesystem::path& path, size_t max_line_bytes)
    : path_(path), max_line_bytes_(max_line_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorKind::not_found, path.string() + ": no such file");
  in_.open(path, std::ios::binary);
  if (!in_) throw Error(ErrorKind::io, path.string() + ": cannot be opened for reading");
}

bool JsonLinesReader::refill() {
  buffer_.resize(read_chunk_bytes);
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (in_.bad()) throw Error(ErrorKind::io, path_.string() + ": read failed");
  buffer_.resize(static_cast<size_t>(in_.gcount()));
  buffer_pos_ = 0;
  return !buffer_.empty();
}

bool JsonLinesReader::next(JsonLine& line) {
  line.text.clear();
  line.too_long = false;
  // One byte over the cap leaves room for the CR of a CRLF line end.
  const size_t keep_limit = max_line_bytes_ + 1;
  bool read_any = false;
  bool at_line_end = false;
  while (!at_line_end && (buffer_pos_ < buffer_.size() || refill())) {
    read_any = true;
    const char* start = buffer_.data() + buffer_pos_;
    const size_t available = buffer_.size() - buffer_pos_;
    const char* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    const size_t length = newline ? static_cast<size_t>(newline - start) : available;
    if (!line.too_long && line.text.size() + length <= keep_limit) {
      line.text.append(start, length);
    } else {
      line.too_long = true;
      line.text.clear();
    }
    buffer_pos_ += length + (newline ? 1 : 0);
    at_line_end = newline != nullptr;
  }
  if (!read_any) return false;
  line.number = ++line_number_;
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  if (line.text.size() > max_line_bytes_) {
    line.too_long = true;
    line.text.clear();
  }
  if (line.number == 1 && line.text.compare(0, utf8_byte_order_mark.size(), utf8_byte_order_mark) == 0) {
    line.text.erase(0, utf8_byte_order_mark.size());
  }
  return true;
}

}  // namespace ft
