#include "serve/upload_store.h"

#include "serve/api_error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace fthost {

namespace fs = std::filesystem;

namespace {

constexpr size_t longest_name = 100;

void check_name(const std::string& name) {
  bool plain = !name.empty() && name.size() <= longest_name && name[0] != '.';
  for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_');
  if (!plain) {
    throw ApiError(400, "invalid_argument",
                   "name: \"" + name + "\" is not a plain file name (letters, digits, \".\", \"-\", \"_\"; at most " +
                       std::to_string(longest_name) + " characters; not starting with \".\")",
                   "name");
  }
}

// "train.jsonl", then "train-1.jsonl", "train-2.jsonl", ...
std::string numbered(const std::string& name, int n) {
  if (n == 0) return name;
  const auto dot = name.find('.');
  return dot == std::string::npos ? name + "-" + std::to_string(n)
                                  : name.substr(0, dot) + "-" + std::to_string(n) + name.substr(dot);
}

bool write_all(int fd, const std::string& content) {
  for (size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

}  // namespace

fs::path UploadStore::save(const std::string& name, const std::string& content) const {
  check_name(name);
  if (content.size() > max_bytes_) {
    throw ApiError(413, "too_large", "the upload has " + std::to_string(content.size()) + " bytes; the limit is " +
                                         std::to_string(max_bytes_) + " (ft-host serve --max-upload MB)");
  }
  std::error_code error;
  fs::create_directories(folder_, error);
  for (int n = 0; n < 1000; ++n) {
    const fs::path path = folder_ / numbered(name, n);
    // O_EXCL: never an existing file; O_NOFOLLOW: never through a link planted in the folder.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) throw ApiError(500, "io", "cannot create " + path.string() + ": " + std::strerror(errno));
    const bool written = write_all(fd, content);
    if (::close(fd) != 0 || !written) {
      fs::remove(path, error);
      throw ApiError(500, "io", "cannot write " + path.string());
    }
    return path;
  }
  throw ApiError(409, "state", "name: 1000 files named like \"" + name + "\" are already uploaded", "name");
}

}  // namespace fthost
