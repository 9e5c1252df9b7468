// A host process for the crash test: opens a workspace, starts one job, prints its id and then
// waits to be killed (SIGKILL) while the job trains. Usage: plugin_kill_child WORKSPACE REQUEST_JSON
#include <finetune/finetune.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  void* library = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return 3;
  const ft_api* api = reinterpret_cast<ft_get_api_fn>(dlsym(library, "ft_get_api"))(FT_ABI_VERSION_MAJOR);
  const std::string options = std::string("{\"workspace\": \"") + argv[1] + "\", \"threads\": 1}";
  ft_plugin* plugin = nullptr;
  char* job = nullptr;
  if (api->ft_open(options.c_str(), &plugin) != FT_OK || api->ft_job_create(plugin, argv[2], nullptr, &job) != FT_OK) {
    std::fprintf(stderr, "%s\n", api->ft_last_error());
    return 1;
  }
  // The job id, from the job object: "id":"ftjob-..." (ids need no escaping).
  const char* id = std::strstr(job, "\"id\":\"");
  if (id == nullptr) return 5;
  std::printf("%.*s\n", FT_JOB_ID_LENGTH, id + 6);
  std::fflush(stdout);
  api->ft_free(job);
  std::this_thread::sleep_for(std::chrono::minutes(5));  // killed long before
  return 4;
}
