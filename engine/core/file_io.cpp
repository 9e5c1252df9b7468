#include "engine/core/file_io.h"

#include "engine/core/error.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ft {
namespace fs = std::filesystem;

std::string read_file_bytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorKind::not_found, path.string() + ": no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, path.string() + ": cannot be opened for reading");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::io, path.string() + ": read failed");
  return bytes.str();
}

void write_file_atomically(const fs::path& path, const std::function<bool(std::FILE*)>& write_body) {
  // Unique per process and call, so concurrent writers of one path never share a temporary.
  static std::atomic<uint64_t> counter{0};
  auto temporary = path;
  temporary += ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter++);
  FILE* f = std::fopen(temporary.c_str(), "wb");
  if (!f) throw Error(ErrorKind::io, path.string() + ": cannot be written (" + std::strerror(errno) + ")");
  // The first failure's reason: a full disk usually shows in the body or the flush.
  int error = 0;
  auto check = [&error](bool ok) {
    if (!ok && error == 0) error = errno != 0 ? errno : EIO;
  };
  errno = 0;
  check(write_body(f));
  check(std::fflush(f) == 0);
  check(::fsync(fileno(f)) == 0);
  check(std::fclose(f) == 0);
  std::error_code ec;
  if (error == 0) {
    fs::rename(temporary, path, ec);
    error = ec.value();
  }
  if (error != 0) {
    fs::remove(temporary, ec);
    throw Error(ErrorKind::io, path.string() + ": write failed (" + std::strerror(error) + ")");
  }
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  write_file_atomically(path, [&](std::FILE* f) { return std::fwrite(text.data(), 1, text.size(), f) == text.size(); });
}

void write_folder_atomically(const fs::path& folder, const std::function<void(const fs::path& partial)>& fill) {
  const fs::path partial = folder.string() + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  try {
    fs::create_directories(partial);
    fill(partial);
    fs::remove_all(folder);
    fs::rename(partial, folder);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(partial, ec);
    const auto& file = e.path1().empty() ? folder : e.path1();
    throw Error(ErrorKind::io, file.string() + ": " + e.code().message());
  } catch (...) {
    fs::remove_all(partial, ec);
    throw;
  }
}

}  // namespace ft
