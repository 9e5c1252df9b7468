#include "engine/core/file_io.h"

#include "engine/core/error.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ft {

std::string read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorKind::not_found, path.string() + ": no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, path.string() + ": cannot be opened for reading");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::io, path.string() + ": read failed");
  return bytes.str();
}

void write_file_atomically(const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write_body) {
  // Unique per process and call, so concurrent writers of one path never share a temporary.
  static std::atomic<uint64_t> counter{0};
  auto temporary = path;
  temporary += ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
  FILE* f = std::fopen(temporary.c_str(), "wb");
  if (!f) throw Error(ErrorKind::io, temporary.string() + ": cannot be created");
  bool ok = write_body(f);
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(temporary, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(temporary, ec);
    throw Error(ErrorKind::io, path.string() + ": write failed");
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  write_file_atomically(path, [&](std::FILE* f) { return std::fwrite(text.data(), 1, text.size(), f) == text.size(); });
}

}  // namespace ft
