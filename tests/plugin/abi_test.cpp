// The version handshake and the function table, as a host sees them through dlopen.
#include "tests/plugin/plugin_host.h"

#include <dlfcn.h>

using namespace ft::testing;

TEST_CASE("the library reports the ABI version of the header and a table of every function", "[plugin][abi]") {
  const ft_api& table = api();
  CHECK(table.ft_abi_version() == FT_ABI_VERSION);
  CHECK(FT_ABI_VERSION_IS_COMPATIBLE(table.ft_abi_version()));
  CHECK(table.abi_version == FT_ABI_VERSION);
  CHECK(table.struct_size == sizeof(ft_api));
  CHECK(FT_API_HAS(&table, ft_generate));

  const std::string version = table.ft_version();
  CHECK(version.rfind("finetune 0.1.0 (ABI 1.0; libtorch ", 0) == 0);
  CHECK(table.ft_version() == table.ft_version());  // static, not rebuilt per call
}

TEST_CASE("ft_get_api answers only the major version it provides", "[plugin][abi]") {
  void* library = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(library != nullptr);
  auto get_api = reinterpret_cast<ft_get_api_fn>(dlsym(library, "ft_get_api"));
  REQUIRE(get_api != nullptr);
  CHECK(get_api(0) == nullptr);
  CHECK(get_api(2) == nullptr);
  CHECK(get_api(1) == &api());
  dlclose(library);
}

TEST_CASE("every function of the table is also exported by name", "[plugin][abi]") {
  void* library = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(library != nullptr);
  const ft_api& t = api();
  auto same = [&](const char* name, auto member) {
    void* symbol = dlsym(library, name);
    INFO(name);
    CHECK(symbol != nullptr);
    CHECK(reinterpret_cast<void*>(member) == symbol);
  };
  same("ft_abi_version", t.ft_abi_version);
  same("ft_version", t.ft_version);
  same("ft_last_error", t.ft_last_error);
  same("ft_status_name", t.ft_status_name);
  same("ft_job_status_name", t.ft_job_status_name);
  same("ft_free", t.ft_free);
  same("ft_open", t.ft_open);
  same("ft_close", t.ft_close);
  same("ft_plan", t.ft_plan);
  same("ft_job_create", t.ft_job_create);
  same("ft_job_get", t.ft_job_get);
  same("ft_job_list", t.ft_job_list);
  same("ft_job_hyperparameters", t.ft_job_hyperparameters);
  same("ft_job_events", t.ft_job_events);
  same("ft_job_progress", t.ft_job_progress);
  same("ft_job_cancel", t.ft_job_cancel);
  same("ft_job_wait", t.ft_job_wait);
  same("ft_job_resume", t.ft_job_resume);
  same("ft_generate", t.ft_generate);
  // Nothing of the engine or libtorch is reachable by name.
  CHECK(dlsym(library, "_ZN2ft14prepare_trainingERKNS_15TrainingRequestERKN3c106DeviceE") == nullptr);
  dlclose(library);
}

TEST_CASE("status names are spelt as the JSON documents spell them", "[plugin][abi]") {
  const ft_api& t = api();
  CHECK(std::string(t.ft_status_name(FT_OK)) == "ok");
  CHECK(std::string(t.ft_status_name(FT_ERR_INVALID_ARGUMENT)) == "invalid_argument");
  CHECK(std::string(t.ft_status_name(FT_ERR_NOT_FOUND)) == "not_found");
  CHECK(std::string(t.ft_status_name(FT_ERR_OUT_OF_MEMORY)) == "out_of_memory");
  CHECK(std::string(t.ft_status_name(FT_ERR_INTERNAL)) == "internal");
  CHECK(std::string(t.ft_status_name(static_cast<ft_status>(42))) == "unknown");
  CHECK(std::string(t.ft_job_status_name(FT_JOB_VALIDATING_FILES)) == "validating_files");
  CHECK(std::string(t.ft_job_status_name(FT_JOB_CANCELLED)) == "cancelled");
  CHECK(std::string(t.ft_job_status_name(static_cast<ft_job_status>(-1))) == "unknown");
}

TEST_CASE("the last error is per thread and cleared by a success", "[plugin][abi]") {
  const ft_api& t = api();
  ft_plugin* plugin = nullptr;
  REQUIRE(t.ft_open("not json", &plugin) == FT_ERR_INVALID_ARGUMENT);
  const std::string message = t.ft_last_error();
  CHECK_FALSE(message.empty());
  std::string other_thread = "unset";
  std::thread([&] { other_thread = t.ft_last_error(); }).join();
  CHECK(other_thread.empty());
  CHECK(std::string(t.ft_last_error()) == message);
  TempFolder folder;
  {
    Workspace workspace(folder.path());
    CHECK(std::string(t.ft_last_error()).empty());
  }
}
