// A full disk (issue 13): a write that fails (ENOSPC, EIO) fails the job with error code "io"
// and a message naming the file; every checkpoint and record written before stays whole and
// readable; the workspace opens afterwards; the job resumes once there is space again.
// Tested twice: on a real small filesystem (a tmpfs with a size limit, mounted in a mount
// namespace of a child process), and with failures injected into a host process at every kind
// of write the plugin makes (full_disk_shim.c), which needs no privilege and never skips.
#include "tests/host/ft_host_runner.h"
#include "tests/plugin/job_records.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ft::testing;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `bytes` mounted over `mount_point` in a mount namespace held by a child process
// (unshare(1): in a user namespace of its own, which any user may create where the kernel allows
// it, else as root), reached from this process through /proc/<child>/root.
class SmallFilesystem {
 public:
  SmallFilesystem(const fs::path& mount_point, uint64_t bytes) {
    for (const char* how : {"--user --map-root-user --mount", "--mount"}) {
      if (start(how, mount_point, bytes)) return;
    }
  }
  ~SmallFilesystem() {
    if (pid_ <= 0) return;
    close(keep_alive_);  // the child's cat reads end-of-file and exits, and the tmpfs goes with it
    waitpid(pid_, nullptr, 0);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool mounted() const { return pid_ > 0; }
  const fs::path& path() const { return path_; }

 private:
  bool start(const std::string& how, const fs::path& mount_point, uint64_t bytes) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return false;
    const std::string script = "exec unshare " + how + " sh -c 'mount -t tmpfs -o size=" + std::to_string(bytes) +
                               " tmpfs \"$0\" && echo ready && exec cat >/dev/null' " + shell_quote(mount_point.string());
    const pid_t pid = fork();
    if (pid == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(to_child[0], 0), dup2(from_child[1], 1), dup2(null, 2);
      close(to_child[1]), close(from_child[0]);
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]), close(from_child[1]);
    char ready[6] = {};
    const bool ok = pid > 0 && read(from_child[0], ready, 5) == 5 && std::string(ready) == "ready";
    close(from_child[0]);
    if (!ok) {
      close(to_child[1]);
      if (pid > 0) waitpid(pid, nullptr, 0);
      return false;
    }
    pid_ = pid;
    keep_alive_ = to_child[1];
    path_ = "/proc/" + std::to_string(pid) + "/root" + mount_point.string();
    return true;
  }

  pid_t pid_ = -1;
  int keep_alive_ = -1;
  fs::path path_;
};

// Writes zeros to `file` until the filesystem refuses more; returns the bytes written.
uint64_t fill(const fs::path& file) {
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  const std::string block(1 << 16, '\0');
  uint64_t written = 0;
  for (ssize_t n; (n = write(fd, block.data(), block.size())) > 0;) written += static_cast<uint64_t>(n);
  CHECK(errno == ENOSPC);
  close(fd);
  return written;
}

// The complete checkpoints of a job (a partial one has a "." in its name).
std::vector<fs::path> checkpoints_of(const fs::path& job_folder) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(job_folder / "checkpoints", ec)) {
    if (entry.path().filename().string().find('.') == std::string::npos) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// A checkpoint is readable: its state says where it stands, and its model generates.
void check_checkpoint_readable(const Workspace& workspace, const fs::path& checkpoint) {
  INFO(checkpoint);
  const auto state = nlohmann::json::parse(read_text(checkpoint / "state.json"));
  CHECK(state.at("step").get<int64_t>() > 0);
  const auto answer = workspace.generate({{"model", (checkpoint / "model").string()}, {"prompt", "copy: a b ="},
                                          {"max_tokens", 2}, {"temperature", 0}});
  CHECK(answer.error == "");
}

nlohmann::json full_disk_request(const fs::path& training_file) {
  auto request = copy_request(training_file, 1);
  request["hyperparameters"]["checkpoint_interval_steps"] = 10;
  return request;
}

}  // namespace

TEST_CASE("a disk that fills up during a checkpoint fails the job and keeps the earlier one", "[plugin][full-disk]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  fs::create_directories(folder / "small");
  SmallFilesystem disk(folder / "small", 32ull << 20);
  if (!disk.mounted()) {
    WARN("no small filesystem can be mounted here (no user namespaces, not root): only the injected failures test runs");
    return;
  }
  const auto workspace_folder = disk.path() / "ws";
  std::string id;
  {
    Workspace workspace(workspace_folder);
    id = workspace.create(full_disk_request(train)).json["id"];
    const auto jobs = workspace_folder / "jobs" / id;
    wait_until([&] { return fs::exists(jobs / "checkpoints" / "step-00000010"); });
    // Leave room for the logs of a few steps, not for another checkpoint.
    const auto reserve = disk.path() / "reserve";
    std::ofstream(reserve) << std::string(512 << 10, 'r');
    fill(disk.path() / "filler");
    fs::remove(reserve);

    REQUIRE(workspace.wait(id) == FT_JOB_FAILED);
    const auto error = workspace.get(id).json["error"];
    INFO(error.dump());
    CHECK(error["code"] == "io");
    const std::string message = error["message"];
    CHECK_THAT(message, Catch::Matchers::Contains("No space left on device"));
    CHECK_THAT(message, Catch::Matchers::Contains((jobs / "checkpoints" / "step-000000").string()));
    CHECK_THAT(message, Catch::Matchers::Contains(".partial/"));
    const auto kept = checkpoints_of(jobs);
    REQUIRE_FALSE(kept.empty());
    CHECK(kept.front().filename() == "step-00000010");
    for (const auto& checkpoint : kept) check_checkpoint_readable(workspace, checkpoint);
    check_records_whole(jobs);
  }
  // The workspace opens while the disk is still full, and the job resumes once it is not.
  Workspace workspace(workspace_folder);
  const auto job = workspace.get(id).json;
  CHECK(job["status"] == "failed");
  fs::remove(disk.path() / "filler");
  REQUIRE(workspace.resume(id).ok());
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  const auto jobs = workspace_folder / "jobs" / id;
  CHECK(losses_by_step(jobs / "results.csv").size() == 40);
  CHECK(fs::exists(jobs / "model" / "model.safetensors"));
  check_records_whole(jobs);
}

TEST_CASE("a write that fails at any site of a job's life fails it with io, naming the file, and it resumes",
          "[plugin][full-disk]") {
  struct InjectedFailure {
    const char* file;
    int nth;            // the nth write to that file fails first
    const char* error;  // ENOSPC: the disk stays full until the host exits; EIO: that write only
    const char* site;
  };
  // One epoch of 24 steps, checkpoints at steps 10 and 20 and at the end of the epoch (24).
  const std::vector<InjectedFailure> failures = {
      {"request.json", 1, "ENOSPC", "ft_job_create: the request"},
      {"job.json", 1, "EIO", "ft_job_create: the job object"},
      {"events.jsonl", 1, "ENOSPC", "ft_job_create: the first event"},
      {"hyperparameters.json", 1, "EIO", "validation: the resolved hyper-parameters"},
      {"results.csv", 1, "ENOSPC", "start of training: the results table"},
      {"results.csv", 7, "EIO", "a step's row"},
      {"events.jsonl", 15, "ENOSPC", "a step's event"},
      {"config.json", 1, "EIO", "the first checkpoint's model config"},
      {"tokenizer.model", 2, "ENOSPC", "the second checkpoint's tokenizer"},
      {"model.safetensors", 2, "ENOSPC", "the second checkpoint's weights"},
      {"optimizer.safetensors", 2, "EIO", "the second checkpoint's optimizer state"},
      {"state.json", 3, "ENOSPC", "the epoch's checkpoint"},
      {"model.safetensors", 4, "EIO", "the fine-tuned model"},
  };
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 24);
  for (const auto& failure : failures) {
    DYNAMIC_SECTION(failure.file << " write " << failure.nth << " fails with " << failure.error << " (" << failure.site << ")") {
      const auto workspace_folder = fs::canonical(folder.path()) / (std::string("ws-") + failure.file + "-" + std::to_string(failure.nth));
      fs::create_directories(workspace_folder);
      const std::string injection = "LD_PRELOAD=" + shell_quote(FT_FULL_DISK_SHIM) +
                                    " FT_FULL_DISK_DIR=" + shell_quote(workspace_folder.string()) +
                                    " FT_FULL_DISK_AFTER=" + failure.file + ":" + std::to_string(failure.nth) +
                                    " FT_FULL_DISK_ERRNO=" + failure.error + " ";
      const auto run = run_host({"start", "--model", model_folder(), "--training-file", train.string(), "--set",
                                 "n_epochs=1", "--set", "checkpoint_interval_steps=10", "--seed", "7"},
                                workspace_folder.string(), injection);
      INFO(run.out);
      CHECK(run.exit_code != 0);
      CHECK_THAT(run.out, Catch::Matchers::Contains(std::string("/") + failure.file));
      const char* reason = std::string(failure.error) == "EIO" ? "Input/output error" : "No space left on device";
      CHECK_THAT(run.out, Catch::Matchers::Contains(reason));

      Workspace workspace(workspace_folder);  // opens after the failure
      const auto jobs = workspace.list().json["data"];
      if (jobs.empty()) {
        // Only ft_job_create can fail before the job object is written; nothing is left to resume.
        CHECK(run.exit_code == 2);
        continue;
      }
      const std::string id = jobs[0]["id"];
      const auto job_folder = workspace_folder / "jobs" / id;
      const auto job = jobs[0];
      CHECK(job["status"] == "failed");
      CHECK((job["error"]["code"] == "io" || job["error"]["code"] == "interrupted"));
      if (job["error"]["code"] == "io") CHECK_THAT(job["error"]["message"].get<std::string>(), Catch::Matchers::Contains(failure.file));
      check_records_whole(job_folder);
      for (const auto& checkpoint : checkpoints_of(job_folder)) check_checkpoint_readable(workspace, checkpoint);
      REQUIRE(workspace.resume(id).ok());
      REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
      CHECK(losses_by_step(job_folder / "results.csv").size() == 24);
      check_records_whole(job_folder);
    }
  }
}
