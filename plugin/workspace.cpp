#include "plugin/workspace.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "plugin/api_error.h"
#include "plugin/job_id.h"
#include "plugin/json_text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail_io(const std::string& what, const fs::path& path, int error) {
  throw Error(ErrorKind::io, what + " " + path.string() + ": " + std::strerror(error));
}

// Whether a non-empty file lacks its final newline (its last line was torn).
bool ends_without_newline(int fd) {
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) return false;
  char last = '\n';
  return ::pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

}  // namespace

Workspace::Workspace(const fs::path& folder) {
  std::error_code ec;
  root_ = fs::absolute(folder, ec);
  if (ec) fail_io("cannot resolve the workspace", folder, ec.value());
  fs::create_directories(root_ / "jobs", ec);
  if (ec) fail_io("cannot create the workspace", root_, ec.value());
  if (!fs::is_directory(root_)) throw Error(ErrorKind::io, "the workspace " + root_.string() + " is not a folder");
  const auto lock = root_ / "lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) fail_io("cannot open the workspace lock", lock, errno);
  // flock belongs to the open file description: a second ft_open in this process conflicts
  // just as one in another process does, and the kernel releases it when the process dies.
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(lock_fd_);
    if (error == EWOULDBLOCK) {
      throw ApiError(FT_ERR_STATE, "the workspace " + root_.string() + " is open in another handle or process");
    }
    fail_io("cannot lock the workspace", lock, error);
  }
}

Workspace::~Workspace() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing the last descriptor releases the flock
}

JobPaths Workspace::job_paths(const std::string& job_id) const {
  if (!is_job_id(job_id)) throw Error(ErrorKind::internal, "not a job id: " + quoted(job_id));
  JobPaths p;
  p.folder = root_ / "jobs" / job_id;
  p.job = p.folder / "job.json";
  p.request = p.folder / "request.json";
  p.hyperparameters = p.folder / "hyperparameters.json";
  p.events = p.folder / "events.jsonl";
  p.results = p.folder / "results.csv";
  p.checkpoints = p.folder / "checkpoints";
  p.model = p.folder / "model";
  p.adapter = p.folder / "adapter";
  return p;
}

bool Workspace::create_job_folder(const std::string& job_id) const {
  const auto paths = job_paths(job_id);
  std::error_code ec;
  const bool created = fs::create_directory(paths.folder, ec);
  if (ec) fail_io("cannot create the job folder", paths.folder, ec.value());
  return created;
}

std::vector<std::string> Workspace::job_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "jobs", ec)) {
    const auto name = entry.path().filename().string();
    if (is_job_id(name) && entry.is_directory()) ids.push_back(name);
  }
  if (ec) fail_io("cannot list", root_ / "jobs", ec.value());
  return ids;
}

void write_json_atomically(const fs::path& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void append_line(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail_io("cannot open", path, errno);
  const off_t size_before = ::lseek(fd, 0, SEEK_END);
  std::string text = (ends_without_newline(fd) ? "\n" : "") + line + "\n";
  // One write per line: a reader (or a process killed mid-run) never sees half of a line
  // followed by another's.
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      // A full disk may take part of the line: cut it off, so that the file holds whole lines
      // only (shrinking needs no space; should it fail, the next append starts a fresh line).
      const bool cut = size_before >= 0 && ::ftruncate(fd, size_before) == 0;
      (void)cut;
      ::close(fd);
      fail_io("cannot append to", path, error);
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace ft::plugin
