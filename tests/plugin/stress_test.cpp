// Several host threads calling every function on several jobs at once, while the jobs train,
// are cancelled and resumed. Meant to run under ThreadSanitizer as well as normally.
#include "tests/plugin/plugin_host.h"

#include <atomic>
#include <vector>

using namespace ft::testing;

TEST_CASE("threads calling every function on several jobs at once", "[plugin][stress]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 12);
  Workspace workspace(folder.path() / "ws", {{"max_concurrent_jobs", 2}, {"threads", 1}});
  std::vector<std::string> ids;
  std::atomic<int> events_seen{0};
  ft_callbacks callbacks = FT_CALLBACKS_INIT;
  callbacks.user_data = &events_seen;
  callbacks.on_event = [](void* user_data, const char*, const char*) { ++*static_cast<std::atomic<int>*>(user_data); };
  for (int i = 0; i < 4; ++i) ids.push_back(workspace.create(copy_request(train, 2), &callbacks).json["id"]);

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  auto hammer = [&](int seed) {
    int round = seed;
    while (!stop) {
      const auto& id = ids[static_cast<size_t>(round++) % ids.size()];
      char* out = nullptr;
      ft_progress p = FT_PROGRESS_INIT;
      if (api().ft_job_get(workspace.get(), id.c_str(), &out) == FT_OK) api().ft_free(out); else ++failures;
      if (api().ft_job_list(workspace.get(), &out) == FT_OK) api().ft_free(out); else ++failures;
      if (api().ft_job_events(workspace.get(), id.c_str(), static_cast<uint64_t>(round % 5), &out) == FT_OK) api().ft_free(out); else ++failures;
      if (api().ft_job_progress(workspace.get(), id.c_str(), &p) != FT_OK) ++failures;
      if (api().ft_job_hyperparameters(workspace.get(), id.c_str(), &out) == FT_OK) api().ft_free(out);
      (void)api().ft_job_wait(workspace.get(), id.c_str(), 0, nullptr);
      if (round % 97 == 0) (void)api().ft_job_cancel(workspace.get(), id.c_str());
      if (round % 89 == 0) {
        if (api().ft_job_resume(workspace.get(), id.c_str(), &out) == FT_OK) api().ft_free(out);
      }
      std::this_thread::yield();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(hammer, t);
  // Let them run while the jobs train, then settle every job.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  for (const auto& id : ids) {
    const auto status = workspace.wait(id);
    CHECK((status == FT_JOB_SUCCEEDED || status == FT_JOB_CANCELLED));
    const auto events = workspace.events(id).json["data"];
    for (size_t i = 0; i < events.size(); ++i) CHECK(events[i]["seq"] == i + 1);
  }
  CHECK(events_seen > 0);
}
