// What survives the process: past jobs with their hyper-parameters and metrics; a job that was
// running when its process died is found interrupted and resumed from its newest checkpoint.
#include "tests/plugin/job_records.h"

#include <random>

#include <csignal>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace ft::testing;
namespace fs = std::filesystem;

namespace {

void rewrite_json(const fs::path& file, const std::function<void(nlohmann::json&)>& change) {
  auto document = nlohmann::json::parse(read_text(file));
  change(document);
  std::ofstream(file) << document.dump(2);
}

int64_t header_lines_removed(const fs::path& results) { return static_cast<int64_t>(count_lines(results)) - 1; }

struct JobProcess {
  pid_t pid;
  std::string job_id;
};

// A host process (plugin_kill_child) that opens `workspace` and starts the job `request`.
JobProcess start_job_process(const fs::path& workspace, const std::string& request) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string workspace_argument = workspace.string();
  char* argv[] = {const_cast<char*>(FT_KILL_CHILD_PATH), const_cast<char*>(workspace_argument.c_str()),
                  const_cast<char*>(request.c_str()), nullptr};
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, FT_KILL_CHILD_PATH, &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  char line[128] = {};
  REQUIRE(read(out[0], line, FT_JOB_ID_LENGTH) == FT_JOB_ID_LENGTH);
  close(out[0]);
  return {child, std::string(line, FT_JOB_ID_LENGTH)};
}

void kill_process(pid_t pid) {
  REQUIRE(kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
}

}  // namespace

TEST_CASE("a reopened workspace lists past jobs with their hyper-parameters and metrics", "[plugin][persistence]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  std::string id;
  nlohmann::json object, hyper, events;
  {
    Workspace workspace(folder.path() / "ws");
    id = workspace.create(copy_request(train)).json["id"];
    REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
    object = workspace.get(id).json;
    hyper = workspace.hyperparameters(id).json;
    events = workspace.events(id).json;
  }
  Workspace workspace(folder.path() / "ws");
  const auto list = workspace.list().json["data"];
  REQUIRE(list.size() == 1);
  auto reopened = list[0];
  CHECK(reopened["status"] == "succeeded");
  CHECK(reopened["metrics"] == object["metrics"]);
  CHECK(reopened["hyperparameters"] == object["hyperparameters"]);
  CHECK(reopened["fine_tuned_model"] == object["fine_tuned_model"]);
  CHECK(workspace.hyperparameters(id).json == hyper);
  CHECK(workspace.events(id).json == events);
  const auto p = workspace.progress(id);
  CHECK(p.status == FT_JOB_SUCCEEDED);
  CHECK(p.step == hyper["hyperparameters"]["total_steps"]["value"]);
  CHECK(workspace.generate({{"model", id}, {"prompt", "copy: a ="}, {"max_tokens", 4}, {"temperature", 0}}).ok());

  // Folders that are not jobs are skipped, not errors.
  fs::create_directories(folder.path() / "ws2" / "jobs" / "not-a-job");
  fs::create_directories(folder.path() / "ws2" / "jobs" / "ftjob-000000000000000000000001");  // no job.json
  Workspace other(folder.path() / "ws2");
  CHECK(other.list().json["data"].empty());
}

TEST_CASE("a job left running by a dead process is interrupted, then resumed to the end", "[plugin][persistence]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  std::string id;
  int64_t total_steps = 0;
  {
    Workspace workspace(folder.path() / "ws");
    id = workspace.create(copy_request(train)).json["id"];
    REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
    total_steps = workspace.hyperparameters(id).json["hyperparameters"]["total_steps"]["value"];
  }
  // Make it look like the process died during epoch 2: job.json says running, epoch 2's
  // checkpoint and the model were never written.
  const auto jobs = folder.path() / "ws" / "jobs" / id;
  rewrite_json(jobs / "job.json", [](nlohmann::json& job) {
    job["status"] = "running";
    job["finished_at"] = nullptr;
    job["fine_tuned_model"] = nullptr;
  });
  fs::remove_all(jobs / "checkpoints" / "epoch-0002");
  fs::remove_all(jobs / "model");
  const auto started_at = nlohmann::json::parse(read_text(jobs / "job.json"))["started_at"];
  const auto events_before = count_lines(jobs / "events.jsonl");

  Workspace workspace(folder.path() / "ws");
  auto job = workspace.get(id).json;
  CHECK(job["status"] == "failed");
  CHECK(job["error"]["code"] == "interrupted");
  CHECK(job["metrics"]["step"] == total_steps);  // recovered from the event log
  const auto last = workspace.events(id).json["data"].back();
  CHECK(last["level"] == "error");
  CHECK(last["seq"] == events_before + 1);
  CHECK(workspace.generate({{"model", id}, {"prompt", "x"}}).status == FT_ERR_STATE);

  const auto resumed = workspace.resume(id);
  REQUIRE(resumed.error == "");
  CHECK(resumed.json["status"] == "queued");
  CHECK(resumed.json["error"].is_null());
  CHECK(resumed.json["finished_at"].is_null());
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  job = workspace.get(id).json;
  CHECK(job["started_at"] == started_at);
  CHECK(fs::exists(jobs / "model" / "model.safetensors"));
  // Epoch 2 was trained again; its rows follow the earlier ones.
  CHECK(header_lines_removed(jobs / "results.csv") == total_steps + total_steps / 2);
  const auto events = workspace.events(id).json["data"];
  for (size_t i = 0; i < events.size(); ++i) CHECK(events[i]["seq"] == i + 1);
  CHECK(workspace.resume(id).status == FT_ERR_STATE);
}

TEST_CASE("a process killed mid-training leaves a job that another process resumes", "[plugin][persistence][kill]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  const auto workspace_folder = folder.path() / "ws";
  const std::string request = copy_request(train, 8).dump();

  const auto [child, id] = start_job_process(workspace_folder, request);
  const auto jobs = workspace_folder / "jobs" / id;

  // Kill it once the first epoch's checkpoint is written, in the middle of the second epoch.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(jobs / "checkpoints" / "epoch-0001") || count_lines(jobs / "results.csv") < 45) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill_process(child);
  const auto rows_at_kill = header_lines_removed(jobs / "results.csv");

  Workspace workspace(workspace_folder);  // the lock died with the process
  auto job = workspace.get(id).json;
  REQUIRE(job["status"] == "failed");
  CHECK(job["error"]["code"] == "interrupted");
  CHECK(job["metrics"]["step"].get<int64_t>() >= rows_at_kill);  // every recorded step
  CHECK(job["trained_tokens"].get<int64_t>() > 0);
  const int64_t total_steps = workspace.hyperparameters(id).json["hyperparameters"]["total_steps"]["value"];
  REQUIRE(rows_at_kill < total_steps);

  REQUIRE(workspace.resume(id).ok());
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  job = workspace.get(id).json;
  CHECK(job["metrics"]["step"] == total_steps);
  CHECK(header_lines_removed(jobs / "results.csv") >= total_steps);
  CHECK(fs::exists(jobs / "model" / "model.safetensors"));
}

TEST_CASE("a one-epoch job killed after a checkpoint inside its epoch resumes to the same weights and losses",
          "[plugin][persistence][kill]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 80);
  auto request = copy_request(train, 1);  // batch_size auto: 1, so 80 steps
  request["hyperparameters"]["checkpoint_interval_steps"] = 10;

  // The run never interrupted.
  fs::path straight_model;
  std::map<int64_t, double> straight_losses;
  {
    Workspace workspace(folder.path() / "straight");
    const std::string id = workspace.create(request).json["id"];
    REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
    const auto jobs = folder.path() / "straight" / "jobs" / id;
    straight_model = jobs / "model" / "model.safetensors";
    straight_losses = losses_by_step(jobs / "results.csv");
  }
  REQUIRE(straight_losses.size() == 80);

  // The same job in another process, killed at a random step after its first checkpoint.
  const auto workspace_folder = folder.path() / "killed";
  const auto [child, id] = start_job_process(workspace_folder, request.dump());
  const auto jobs = workspace_folder / "jobs" / id;
  std::random_device entropy;
  const int kill_at = std::uniform_int_distribution<int>(11, 60)(entropy);
  INFO("killed at step " << kill_at << " or just after");
  wait_until([&] { return fs::exists(jobs / "checkpoints" / "step-00000010"); });
  wait_until([&] { return header_lines_removed(jobs / "results.csv") >= kill_at; });
  kill_process(child);
  const auto rows_at_kill = header_lines_removed(jobs / "results.csv");
  REQUIRE(rows_at_kill < 80);
  std::string checkpoint;  // the newest complete one (a partial one has a "." in its name)
  for (const auto& entry : fs::directory_iterator(jobs / "checkpoints")) {
    const auto name = entry.path().filename().string();
    if (name.find('.') == std::string::npos) checkpoint = std::max(checkpoint, name);
  }
  CHECK(checkpoint.rfind("step-", 0) == 0);  // inside the epoch: the epoch's own comes at step 80
  INFO("killed after step " << rows_at_kill << ", resumed from " << checkpoint);

  Workspace workspace(workspace_folder);
  REQUIRE(workspace.get(id).json["error"]["code"] == "interrupted");
  REQUIRE(workspace.resume(id).ok());
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  const auto events = workspace.events(id).json["data"];
  CHECK(std::any_of(events.begin(), events.end(), [&](const nlohmann::json& e) {
    return e["message"].get<std::string>().rfind("Continuing from checkpoint " + checkpoint, 0) == 0;
  }));

  const auto losses = losses_by_step(jobs / "results.csv");
  REQUIRE(losses.size() == 80);
  for (const auto& [step, loss] : straight_losses) {
    INFO("step " << step);
    CHECK(losses.at(step) == Approx(loss).epsilon(1e-6));
  }
  CHECK(max_weight_difference(jobs / "model" / "model.safetensors", straight_model) <= 1e-6);
}
