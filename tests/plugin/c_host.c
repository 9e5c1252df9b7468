/* A host in plain C99: loads the plugin with dlopen, checks the ABI version, resolves
   ft_get_api, plans and runs a tiny job, prints what it learns, then starts another job and
   closes the handle while it runs, unloads the library and exits 0.
   Usage: plugin_c_host LIBFINETUNE.SO MODEL_FOLDER */
#define _XOPEN_SOURCE 700
#include <finetune/finetune.h>

#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const ft_api *api;

static int fail(const char *what) {
  fprintf(stderr, "c_host: %s failed: %s\n", what, api ? api->ft_last_error() : dlerror());
  return 1;
}

/* The value of "key": "..." in a JSON text; enough for the job id, which needs no escaping. */
static int json_string(const char *json, const char *key, char *out, size_t size) {
  char pattern[64];
  const char *start;
  const char *end;
  sprintf(pattern, "\"%s\":\"", key);
  start = strstr(json, pattern);
  if (start == NULL) return 0;
  start += strlen(pattern);
  end = strchr(start, '"');
  if (end == NULL || (size_t)(end - start) >= size) return 0;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void sleep_ms(long ms) {
  struct timespec t;
  t.tv_sec = ms / 1000;
  t.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
}

static int write_data(const char *path) {
  FILE *f = fopen(path, "w");
  int i;
  if (f == NULL) return 0;
  for (i = 0; i < 24; ++i) {
    fprintf(f, "{\"prompt\": \"copy: %c %c =\", \"completion\": \" %c %c\"}\n", 'a' + i % 6, 'a' + i / 6,
            'a' + i % 6, 'a' + i / 6);
  }
  return fclose(f) == 0;
}

static int run(const char *model, const char *folder) {
  char options[1024], request[2048], data[512], id[FT_JOB_ID_LENGTH + 1], second[FT_JOB_ID_LENGTH + 1];
  ft_plugin *plugin = NULL;
  char *out = NULL;
  ft_job_status status;
  ft_progress progress = FT_PROGRESS_INIT;

  sprintf(data, "%s/train.jsonl", folder);
  if (!write_data(data)) return fail("writing the data");
  sprintf(options, "{\"workspace\": \"%s/ws\", \"threads\": 1}", folder);
  sprintf(request,
          "{\"model\": \"%s\", \"training_file\": \"%s\", \"hyperparameters\": {\"n_epochs\": 2}, \"seed\": 1}",
          model, data);
  if (api->ft_open(options, &plugin) != FT_OK) return fail("ft_open");

  if (api->ft_plan(plugin, request, &out) != FT_OK) return fail("ft_plan");
  printf("plan: %.200s...\n", out);
  api->ft_free(out);

  if (api->ft_job_create(plugin, request, NULL, &out) != FT_OK) return fail("ft_job_create");
  if (!json_string(out, "id", id, sizeof id)) return fail("reading the job id");
  api->ft_free(out);
  if (api->ft_job_wait(plugin, id, -1, &status) != FT_OK) return fail("ft_job_wait");
  printf("%s ended %s\n", id, api->ft_job_status_name(status));
  if (status != FT_JOB_SUCCEEDED) return 1;
  if (api->ft_job_progress(plugin, id, &progress) != FT_OK) return fail("ft_job_progress");
  printf("step %lld/%lld epoch %d/%d loss %.4f\n", (long long)progress.step, (long long)progress.total_steps,
         (int)progress.epoch, (int)progress.n_epochs, progress.train_loss);
  if (api->ft_job_hyperparameters(plugin, id, &out) != FT_OK) return fail("ft_job_hyperparameters");
  printf("hyperparameters: %.200s...\n", out);
  api->ft_free(out);
  sprintf(request, "{\"model\": \"%s\", \"prompt\": \"copy: a b =\", \"max_tokens\": 6, \"temperature\": 0}", id);
  if (api->ft_generate(plugin, request, &out) != FT_OK) return fail("ft_generate");
  printf("generated: %s\n", out);
  api->ft_free(out);

  /* A long job, closed while it trains. */
  sprintf(request, "{\"model\": \"%s\", \"training_file\": \"%s\", \"hyperparameters\": {\"n_epochs\": 50}}", model, data);
  if (api->ft_job_create(plugin, request, NULL, &out) != FT_OK) return fail("ft_job_create");
  if (!json_string(out, "id", second, sizeof second)) return fail("reading the job id");
  api->ft_free(out);
  do {
    sleep_ms(5);
    if (api->ft_job_progress(plugin, second, &progress) != FT_OK) return fail("ft_job_progress");
  } while (progress.step < 1);
  api->ft_close(plugin);
  printf("closed with %s running at step %lld\n", second, (long long)progress.step);
  return 0;
}

int main(int argc, char **argv) {
  void *library;
  ft_get_api_fn get_api = NULL;
  void *symbol;
  char folder[] = "/tmp/ft-c-host-XXXXXX";
  int result;

  if (argc != 3) {
    fprintf(stderr, "usage: %s LIBFINETUNE.SO MODEL_FOLDER\n", argv[0]);
    return 2;
  }
  library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) return fail("dlopen");
  symbol = dlsym(library, "ft_abi_version");
  if (symbol == NULL) return fail("dlsym(ft_abi_version)");
  {
    uint32_t (*abi_version)(void);
    uint32_t version;
    memcpy(&abi_version, &symbol, sizeof abi_version); /* C forbids casting void * to a function */
    version = abi_version();
    printf("ABI %u.%u\n", (unsigned)FT_ABI_VERSION_GET_MAJOR(version), (unsigned)FT_ABI_VERSION_GET_MINOR(version));
    if (!FT_ABI_VERSION_IS_COMPATIBLE(version)) return fail("the ABI version check");
  }
  symbol = dlsym(library, "ft_get_api");
  if (symbol == NULL) return fail("dlsym(ft_get_api)");
  memcpy(&get_api, &symbol, sizeof get_api);
  api = get_api(FT_ABI_VERSION_MAJOR);
  if (api == NULL || !FT_API_HAS(api, ft_generate)) return fail("ft_get_api");
  printf("%s\n", api->ft_version());

  if (mkdtemp(folder) == NULL) return fail("mkdtemp");
  result = run(argv[2], folder);
  nftw(folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  api = NULL;
  if (dlclose(library) != 0) return fail("dlclose");
  if (result == 0) printf("unloaded; exiting\n");
  return result;
}
