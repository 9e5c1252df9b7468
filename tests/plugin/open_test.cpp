// ft_open and ft_close: options, the workspace lock, closed handles.
#include "tests/plugin/plugin_host.h"

using namespace ft::testing;

namespace {

// ft_open with `options`: its status and message; *out_plugin must stay untouched on failure.
std::pair<ft_status, std::string> open_fails(const std::string& options) {
  ft_plugin* sentinel = reinterpret_cast<ft_plugin*>(0x1234);
  ft_plugin* plugin = sentinel;
  const ft_status status = api().ft_open(options.c_str(), &plugin);
  CHECK(plugin == sentinel);
  if (status == FT_OK) api().ft_close(plugin);
  return {status, api().ft_last_error()};
}

}  // namespace

TEST_CASE("ft_open refuses options that are not what the header documents", "[plugin][open]") {
  TempFolder folder;
  const std::string ws = nlohmann::json(folder.path().string()).dump();
  ft_plugin* plugin = nullptr;
  CHECK(api().ft_open(nullptr, &plugin) == FT_ERR_INVALID_ARGUMENT);
  CHECK(std::string(api().ft_last_error()).find("options_json") != std::string::npos);
  CHECK(api().ft_open(("{\"workspace\": " + ws + "}").c_str(), nullptr) == FT_ERR_INVALID_ARGUMENT);

  CHECK(open_fails("not json").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("[1, 2]").first == FT_ERR_INVALID_ARGUMENT);
  const auto missing = open_fails("{}");
  CHECK(missing.first == FT_ERR_INVALID_ARGUMENT);
  CHECK(missing.second.find("workspace") != std::string::npos);
  const auto unknown = open_fails("{\"workspace\": " + ws + ", \"colour\": \"blue\"}");
  CHECK(unknown.first == FT_ERR_INVALID_ARGUMENT);
  CHECK(unknown.second.find("colour") != std::string::npos);
  CHECK(open_fails("{\"workspace\": 3}").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("{\"workspace\": " + ws + ", \"max_concurrent_jobs\": 0}").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("{\"workspace\": " + ws + ", \"max_concurrent_jobs\": 65}").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("{\"workspace\": " + ws + ", \"threads\": -1}").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("{\"workspace\": " + ws + ", \"threads\": 1.5}").first == FT_ERR_INVALID_ARGUMENT);
  CHECK(open_fails("{\"workspace\": " + ws + ", \"device\": \"tpu\"}").first == FT_ERR_INVALID_ARGUMENT);
  const auto absent_gpu = open_fails("{\"workspace\": " + ws + ", \"device\": \"cuda:77\"}");
  CHECK(absent_gpu.first == FT_ERR_UNSUPPORTED);
  CHECK(absent_gpu.second.find("device \"cuda:77\" is not available") != std::string::npos);
  const auto file = folder.write("a-file", "x");
  CHECK(open_fails("{\"workspace\": " + nlohmann::json(file.string()).dump() + "}").first == FT_ERR_IO);
}

TEST_CASE("ft_open creates the workspace, which lists no jobs at first", "[plugin][open]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "a" / "b", {{"device", "cpu"}, {"max_concurrent_jobs", 2}, {"threads", 1}});
  CHECK(std::filesystem::is_directory(folder.path() / "a" / "b" / "jobs"));
  const auto list = workspace.list();
  REQUIRE(list.ok());
  CHECK(list.json == nlohmann::json::parse(R"({"data": []})"));
}

TEST_CASE("a workspace is open in one handle at a time", "[plugin][open]") {
  TempFolder folder;
  const std::string options = nlohmann::json{{"workspace", folder.path().string()}}.dump();
  ft_plugin* first = nullptr;
  ft_plugin* second = nullptr;
  REQUIRE(api().ft_open(options.c_str(), &first) == FT_OK);
  CHECK(api().ft_open(options.c_str(), &second) == FT_ERR_STATE);
  CHECK(second == nullptr);
  CHECK(std::string(api().ft_last_error()).find("open in another handle") != std::string::npos);
  api().ft_close(first);
  REQUIRE(api().ft_open(options.c_str(), &second) == FT_OK);  // released by ft_close
  api().ft_close(second);
}

TEST_CASE("a closed handle and a second ft_close are refused, never a crash", "[plugin][open][misuse]") {
  TempFolder folder;
  const std::string options = nlohmann::json{{"workspace", folder.path().string()}}.dump();
  ft_plugin* plugin = nullptr;
  REQUIRE(api().ft_open(options.c_str(), &plugin) == FT_OK);
  api().ft_close(plugin);
  CHECK(std::string(api().ft_last_error()).empty());
  api().ft_close(plugin);  // again
  CHECK(std::string(api().ft_last_error()).find("not open") != std::string::npos);
  char* out = reinterpret_cast<char*>(0x5678);
  CHECK(api().ft_job_list(plugin, &out) == FT_ERR_INVALID_ARGUMENT);
  CHECK(out == reinterpret_cast<char*>(0x5678));
  CHECK(api().ft_job_cancel(plugin, "ftjob-000000000000000000000000") == FT_ERR_INVALID_ARGUMENT);
  api().ft_close(nullptr);  // does nothing
  CHECK(std::string(api().ft_last_error()).empty());
}
