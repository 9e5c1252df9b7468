// Cancelling: a running job within about one step, a queued one at once; idempotent; a
// cancelled job can be resumed. ft_close with a job running.
#include "tests/plugin/plugin_host.h"

#include <dlfcn.h>

using namespace ft::testing;
namespace fs = std::filesystem;

TEST_CASE("ft_job_cancel stops a running job within about one step", "[plugin][cancel]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  Workspace workspace(folder.path() / "ws");
  const std::string running = workspace.create(copy_request(train, 20)).json["id"];
  // max_concurrent_jobs is 1: a second job waits.
  const std::string waiting = workspace.create(copy_request(train, 1)).json["id"];
  workspace.wait_for_step(running, 3);

  REQUIRE(api().ft_job_cancel(workspace.get(), waiting.c_str()) == FT_OK);
  // Validating or queued: cancelled at once.
  CHECK(workspace.get(waiting).json["status"] == "cancelled");

  const int64_t step_at_cancel = workspace.progress(running).step;
  REQUIRE(api().ft_job_cancel(workspace.get(), running.c_str()) == FT_OK);
  CHECK(api().ft_job_cancel(workspace.get(), running.c_str()) == FT_OK);  // idempotent
  CHECK(workspace.wait(running, 30000) == FT_JOB_CANCELLED);
  const auto p = workspace.progress(running);
  CHECK(p.status == FT_JOB_CANCELLED);
  CHECK(p.step - step_at_cancel <= 2);
  CHECK(p.step < p.total_steps);
  CHECK(api().ft_job_cancel(workspace.get(), running.c_str()) == FT_OK);  // still idempotent
  const auto job = workspace.get(running).json;
  CHECK(job["fine_tuned_model"].is_null());
  CHECK(job["finished_at"].is_number_integer());
  CHECK(workspace.events(running).json["data"].back()["data"]["status"] == "cancelled");

  // A wait with a timeout on a job that is not final answers FT_ERR_TIMEOUT, status untouched.
  const auto resumed = workspace.resume(running);
  REQUIRE(resumed.ok());
  CHECK(resumed.json["status"] == "queued");
  ft_job_status status = FT_JOB_SUCCEEDED;  // a sentinel: this job cannot have succeeded yet
  const auto waited = api().ft_job_wait(workspace.get(), running.c_str(), 0, &status);
  if (waited == FT_ERR_TIMEOUT) CHECK(status == FT_JOB_SUCCEEDED);
  REQUIRE(api().ft_job_cancel(workspace.get(), running.c_str()) == FT_OK);
  CHECK(workspace.wait(running) == FT_JOB_CANCELLED);

  // The job cancelled before it was validated resumes from the start and finishes.
  const auto again = workspace.resume(waiting);
  REQUIRE(again.error == "");
  CHECK(workspace.wait(waiting) == FT_JOB_SUCCEEDED);
  CHECK(workspace.hyperparameters(waiting).ok());
  CHECK(workspace.resume(waiting).status == FT_ERR_STATE);  // succeeded
  CHECK(api().ft_job_cancel(workspace.get(), waiting.c_str()) == FT_ERR_STATE);
}

TEST_CASE("ft_close cancels a running job, joins, and the library can be unloaded", "[plugin][cancel][close]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  // A handle of the library of our own, so that dlclose has something to release.
  void* library = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(library != nullptr);
  const ft_api* t = reinterpret_cast<ft_get_api_fn>(dlsym(library, "ft_get_api"))(1);
  const std::string options = nlohmann::json{{"workspace", (folder.path() / "ws").string()}, {"threads", 1}}.dump();
  ft_plugin* plugin = nullptr;
  REQUIRE(t->ft_open(options.c_str(), &plugin) == FT_OK);
  const std::string request = copy_request(train, 20).dump();
  char* out = nullptr;
  REQUIRE(t->ft_job_create(plugin, request.c_str(), nullptr, &out) == FT_OK);
  const std::string id = nlohmann::json::parse(out)["id"];
  t->ft_free(out);
  REQUIRE(t->ft_job_create(plugin, request.c_str(), nullptr, &out) == FT_OK);  // queued behind it
  const std::string queued = nlohmann::json::parse(out)["id"];
  t->ft_free(out);
  for (ft_progress p = FT_PROGRESS_INIT; p.step < 2; std::this_thread::sleep_for(std::chrono::milliseconds(2))) {
    REQUIRE(t->ft_job_progress(plugin, id.c_str(), &p) == FT_OK);
  }
  const auto started = std::chrono::steady_clock::now();
  t->ft_close(plugin);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 10);
  CHECK(dlclose(library) == 0);

  // The next ft_open finds both cancelled (not interrupted), resumable.
  Workspace workspace(folder.path() / "ws");
  for (const auto& job_id : {id, queued}) {
    const auto job = workspace.get(job_id).json;
    CHECK(job["status"] == "cancelled");
    CHECK(job["error"].is_null());
    CHECK(workspace.events(job_id).json["data"].back()["message"] == "Fine-tuning cancelled: the plugin was closed");
  }
}
