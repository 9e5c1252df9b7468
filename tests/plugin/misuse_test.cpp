// Misuse gives a status and a message, never a crash: NULL pointers, malformed and unknown job
// ids, bad struct sizes; out-parameters stay untouched on failure.
#include "tests/plugin/plugin_host.h"

using namespace ft::testing;

namespace {

char* const kUntouched = reinterpret_cast<char*>(0x4242);

}  // namespace

TEST_CASE("malformed job ids are refused before any path is built from them", "[plugin][misuse]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  const std::string long_id = "ftjob-" + std::string(25, 'a');
  for (const std::string& bad : {std::string(""), std::string("../x"), std::string("ftjob-ABCDEFGHIJKLMNOPQRSTUVWX"),
                                 long_id, std::string("ftjob-../../../../../../../etc"),
                                 std::string("ftjob-aaaaaaaaaaaaaaaaaaaaaaa/")}) {
    INFO(bad);
    char* out = kUntouched;
    CHECK(api().ft_job_get(workspace.get(), bad.c_str(), &out) == FT_ERR_INVALID_ARGUMENT);
    CHECK(out == kUntouched);
    CHECK(std::string(api().ft_last_error()).find("is not a job id") != std::string::npos);
    CHECK(api().ft_job_events(workspace.get(), bad.c_str(), 0, &out) == FT_ERR_INVALID_ARGUMENT);
    CHECK(api().ft_job_hyperparameters(workspace.get(), bad.c_str(), &out) == FT_ERR_INVALID_ARGUMENT);
    CHECK(api().ft_job_resume(workspace.get(), bad.c_str(), &out) == FT_ERR_INVALID_ARGUMENT);
    CHECK(api().ft_job_cancel(workspace.get(), bad.c_str()) == FT_ERR_INVALID_ARGUMENT);
    ft_progress p = FT_PROGRESS_INIT;
    CHECK(api().ft_job_progress(workspace.get(), bad.c_str(), &p) == FT_ERR_INVALID_ARGUMENT);
    ft_job_status status = FT_JOB_QUEUED;
    CHECK(api().ft_job_wait(workspace.get(), bad.c_str(), 0, &status) == FT_ERR_INVALID_ARGUMENT);
    CHECK(status == FT_JOB_QUEUED);
    CHECK(out == kUntouched);
  }
  // Well formed, but no job has it.
  const char* unknown = "ftjob-0123456789abcdefghijklmn";
  char* out = kUntouched;
  CHECK(api().ft_job_get(workspace.get(), unknown, &out) == FT_ERR_NOT_FOUND);
  CHECK(api().ft_job_cancel(workspace.get(), unknown) == FT_ERR_NOT_FOUND);
  CHECK(api().ft_job_wait(workspace.get(), unknown, 0, nullptr) == FT_ERR_NOT_FOUND);
  CHECK(api().ft_job_resume(workspace.get(), unknown, &out) == FT_ERR_NOT_FOUND);
  CHECK(out == kUntouched);
}

TEST_CASE("NULL pointers give FT_ERR_INVALID_ARGUMENT from every function", "[plugin][misuse]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  Workspace workspace(folder.path() / "ws");
  ft_plugin* p = workspace.get();
  const std::string request = copy_request(train).dump();
  const char* id = "ftjob-0123456789abcdefghijklmn";
  char* out = kUntouched;
  ft_progress progress = FT_PROGRESS_INIT;

  CHECK(api().ft_plan(nullptr, request.c_str(), &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_plan(p, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_plan(p, request.c_str(), nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_create(nullptr, request.c_str(), nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_create(p, nullptr, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_create(p, request.c_str(), nullptr, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_get(nullptr, id, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_get(p, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_get(p, id, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_list(nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_list(p, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_hyperparameters(p, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_hyperparameters(p, id, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_events(p, nullptr, 0, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_events(p, id, 0, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_progress(nullptr, id, &progress) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_progress(p, nullptr, &progress) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_progress(p, id, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_cancel(nullptr, id) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_cancel(p, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_wait(nullptr, id, 0, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_wait(p, nullptr, 0, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_resume(p, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_job_resume(p, id, nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_generate(nullptr, "{}", &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_generate(p, nullptr, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(api().ft_generate(p, "{}", nullptr) == FT_ERR_INVALID_ARGUMENT);
  CHECK(out == kUntouched);
  CHECK(std::string(api().ft_last_error()).find("NULL") != std::string::npos);
  api().ft_free(nullptr);

  // A NULL out-parameter is refused before anything happens: no job was created.
  CHECK(workspace.list().json["data"].empty());
}

TEST_CASE("callbacks with a wrong struct_size are refused, and NULL callbacks are fine", "[plugin][misuse]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  Workspace workspace(folder.path() / "ws");
  ft_callbacks callbacks = FT_CALLBACKS_INIT;
  callbacks.struct_size = 0;
  const auto refused = workspace.create(copy_request(train), &callbacks);
  CHECK(refused.status == FT_ERR_INVALID_ARGUMENT);
  CHECK(refused.error.find("struct_size") != std::string::npos);
  callbacks.struct_size = sizeof callbacks;  // a callback struct with no function: polling only
  const auto created = workspace.create(copy_request(train, 1), &callbacks);
  REQUIRE(created.ok());
  const std::string id = created.json["id"];
  CHECK(api().ft_job_cancel(workspace.get(), id.c_str()) == FT_OK);
  CHECK(workspace.wait(id) == FT_JOB_CANCELLED);
}
