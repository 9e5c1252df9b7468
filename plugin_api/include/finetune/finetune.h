// finetune.h: the C ABI of the finetune plugin (libfinetune.so).
//
// A host loads the plugin with dlopen, checks the ABI version, and drives fine-tunes of language
// models through the functions below: plan a run (every hyper-parameter chosen from the data, the
// model and the machine, each with its reason), start it as a background job, follow its progress
// and events, read back the hyper-parameters it used, cancel it, resume it, and try the result.
// Requests and records are JSON documents, described with examples in docs/api.md.
//
// This header is pure C99 and also compiles as C++. It depends on <stddef.h> and <stdint.h> only,
// and nothing needs to be linked to use it: a host may resolve every function with dlsym, or just
// one, ft_get_api, which returns a table of all the others.
//
// Conventions (every function follows them; the comment on each function states its specifics):
//
// - Status. Every function that can fail returns an ft_status. FT_OK is 0; anything else is a
//   failure, and ft_last_error() gives a message for it on the calling thread.
// - Out-parameters. On failure, out-parameters are left untouched. On success they are set.
// - Ownership. Input strings and structs are borrowed for the duration of the call: the plugin
//   copies what it keeps. Strings returned through `char **out` are NUL-terminated UTF-8, owned
//   by the caller, and freed with ft_free (never with free() or delete). Strings returned as
//   `const char *` are owned by the plugin; each function says how long they stay valid.
// - Pointers. Every pointer parameter must be non-NULL unless its comment says otherwise; NULL
//   gives FT_ERR_INVALID_ARGUMENT (never a crash).
// - Strings are UTF-8 and NUL-terminated. JSON texts are parsed with a size and nesting cap.
// - Exceptions. No C++ exception ever crosses this boundary: every entry point catches all of
//   them and returns a status (FT_ERR_OUT_OF_MEMORY for std::bad_alloc, FT_ERR_INTERNAL for the
//   unexpected).
// - Handles. ft_open creates a plugin handle, ft_close destroys it. A handle used after ft_close,
//   including a second ft_close, is detected and refused with FT_ERR_INVALID_ARGUMENT rather than
//   crashing, but a host should not rely on that.
// - Job ids are made by the plugin: "ftjob-" followed by 24 characters from [0-9a-z]
//   (FT_JOB_ID_LENGTH characters in all). Every job id a caller passes is checked against that
//   form before use, so no file path can ever be built from a caller's string: a string of any
//   other form (empty, "../x", too long) gives FT_ERR_INVALID_ARGUMENT, a well-formed id that no
//   job has gives FT_ERR_NOT_FOUND.
// - Arguments and input. FT_ERR_INVALID_ARGUMENT is about what the caller passed in the call (a
//   NULL pointer, a request that is not valid JSON, an unknown key, a value out of range);
//   FT_ERR_INVALID_INPUT is about the content of the files a request points at (a training file
//   with bad lines, a broken config.json or safetensors header).
// - Versioning. The major version changes only when something breaks; the minor version grows
//   when something is added. Structs and the function table only ever grow at the end, and every
//   struct a caller passes in starts with `size_t struct_size`, set by the caller to
//   sizeof(the struct as its header declares it).
// - Thread rules are written before each function:
//     [thread-safe]               any thread, any time, concurrently with anything.
//     [any thread, not concurrently with ft_close]
//                                 any thread, concurrently with every function except ft_close
//                                 on the same handle.
//     [any thread, not concurrently with any call on the handle, not from a callback]
//                                 ft_close alone.
//   Callbacks (ft_callbacks) are called on a plugin worker thread, never on the caller's; they
//   must return quickly, must not block, and must not call ft_close or ft_job_wait.
// - Jobs and files. Each job lives in its own folder of the workspace given to ft_open, and
//   survives the process: a later ft_open on the same workspace lists it, its hyper-parameters
//   and its metrics. See docs/api.md for the layout.
//
// Usage (C; error handling shortened to one check):
//
//   #include <finetune/finetune.h>
//
//   ft_plugin *plugin = NULL;
//   char *plan = NULL, *job = NULL, *hyper = NULL;
//   const char *request =
//       "{\"model\": \"models/tiny-llama\", \"training_file\": \"train.jsonl\","
//       " \"hyperparameters\": {\"n_epochs\": \"auto\"}}";
//
//   if ((ft_abi_version() >> 16) != FT_ABI_VERSION_MAJOR) return 1;     // wrong library
//   if (ft_open("{\"workspace\": \"/home/me/.finetune\"}", &plugin) != FT_OK) {
//     fprintf(stderr, "ft_open: %s\n", ft_last_error());
//     return 1;
//   }
//   if (ft_plan(plugin, request, &plan) == FT_OK) {       // every value, its source and reason
//     puts(plan);
//     ft_free(plan);
//   }
//   if (ft_job_create(plugin, request, NULL, &job) == FT_OK) {  // returns at once
//     char id[FT_JOB_ID_LENGTH + 1];
//     ft_job_status status;
//     my_json_get_string(job, "id", id, sizeof id);    // the host's own JSON parser
//     ft_free(job);
//
//     if (ft_job_wait(plugin, id, -1, &status) == FT_OK)              // -1: no time limit
//       printf("%s ended %s\n", id, ft_job_status_name(status));      // "succeeded"
//     if (ft_job_hyperparameters(plugin, id, &hyper) == FT_OK) {      // what the run used
//       puts(hyper);
//       ft_free(hyper);
//     }
//   } else {
//     fprintf(stderr, "ft_job_create: %s\n", ft_last_error());
//   }
//   ft_close(plugin);   // cancels what still runs and joins every plugin thread
//
// A host that resolves one symbol:
//
//   void *lib = dlopen("libfinetune.so", RTLD_NOW | RTLD_LOCAL);
//   ft_get_api_fn get_api = NULL;
//   *(void **)&get_api = dlsym(lib, "ft_get_api");   // POSIX's idiom; C forbids a plain cast
//   const ft_api *api = get_api ? get_api(FT_ABI_VERSION_MAJOR) : NULL;
//   if (api == NULL || !FT_API_HAS(api, ft_generate)) { ... the library is too old ... }
//   api->ft_open("{\"workspace\": \"ws\"}", &plugin);
//   ...
//   api->ft_close(plugin);
//   dlclose(lib);       // safe once ft_close has returned for every handle

#ifndef FINETUNE_FINETUNE_H
#define FINETUNE_FINETUNE_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define FT_API __attribute__((visibility("default")))
#else
#define FT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

#define FT_ABI_VERSION_MAJOR 1
#define FT_ABI_VERSION_MINOR 0
// The version this header describes, packed as ft_abi_version() returns it.
#define FT_ABI_VERSION ((((uint32_t)FT_ABI_VERSION_MAJOR) << 16) | (uint32_t)FT_ABI_VERSION_MINOR)
#define FT_ABI_VERSION_GET_MAJOR(v) ((uint32_t)(v) >> 16)
#define FT_ABI_VERSION_GET_MINOR(v) ((uint32_t)(v)&0xFFFFu)
// Whether a library reporting ft_abi_version() == v can be used with this header: the same major
// version, and at least this header's minor version. (A host that checks FT_API_HAS before
// using newer members may accept an older minor version too.) Written without comparing the minor
// alone, which would warn "always true" (-Wtype-limits) while the minor is 0.
#define FT_ABI_VERSION_IS_COMPATIBLE(v) \
  (FT_ABI_VERSION_GET_MAJOR(v) == FT_ABI_VERSION_MAJOR && (uint32_t)(v) >= FT_ABI_VERSION)

// The length of a job id in characters, without the terminating NUL: "ftjob-" and 24 of [0-9a-z].
#define FT_JOB_ID_LENGTH 30

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

// What a call gave. ft_status_name() spells each as the JSON documents do ("not_found").
typedef enum ft_status {
  FT_OK = 0,                // success
  FT_ERR_INVALID_ARGUMENT,  // a NULL pointer, a malformed job id, a wrong struct_size, a closed
                            // handle, or a request or options document that is not valid JSON,
                            // has an unknown key, or a value of the wrong type or out of range
                            // (also one out of range for the data, such as a batch_size above
                            // the number of examples, or a model too large for the device)
  FT_ERR_NOT_FOUND,         // a well-formed job id that no job has, or a file or folder a request
                            // names (model, training_file, validation_file) that does not exist
  FT_ERR_INVALID_INPUT,     // a file a request names exists but its content is wrong (a training
                            // file with bad lines, a broken config.json or safetensors header)
  FT_ERR_STATE,             // the call does not apply to the job's status (resuming a running
                            // job, cancelling a finished one, generating with a job that did not
                            // succeed), or the workspace is already open in another handle or
                            // process
  FT_ERR_TIMEOUT,           // ft_job_wait: the time ran out before the job finished
  FT_ERR_IO,                // the operating system refused a read or write
  FT_ERR_OUT_OF_MEMORY,     // host or device memory ran out
  FT_ERR_UNSUPPORTED,       // valid but not handled: a method other than "full", a model
                            // architecture or weight format the engine lacks, a pickle checkpoint,
                            // a device this build or machine does not have
  FT_ERR_INTERNAL           // a bug in the plugin (an unexpected exception, a broken invariant)
} ft_status;

// Where a job stands. Jobs move forward only:
//   validating_files -> queued -> running -> succeeded | failed | cancelled
// (a job may fail or be cancelled from any of the first three). The last three are final, except
// that ft_job_resume takes an interrupted, cancelled or io-failed job back to queued.
// ft_job_status_name() spells each as the job object does ("validating_files").
typedef enum ft_job_status {
  FT_JOB_VALIDATING_FILES = 0,  // the files are read, checked and tokenized; hyper-parameters planned
  FT_JOB_QUEUED,                // waiting for a free training slot (options: max_concurrent_jobs)
  FT_JOB_RUNNING,               // training
  FT_JOB_SUCCEEDED,             // finished; the fine-tuned model is in the job's model/ folder
  FT_JOB_FAILED,                // stopped by an error, see the job object's "error"
  FT_JOB_CANCELLED              // stopped by ft_job_cancel or ft_close
} ft_job_status;

// An open workspace. Opaque; made by ft_open, destroyed by ft_close.
typedef struct ft_plugin ft_plugin;

// A typed snapshot of a job, for hosts that poll often (a progress bar). Filled by
// ft_job_progress. The caller sets struct_size; the plugin never writes it. Doubles that are not
// known yet are -1.
typedef struct ft_progress {
  size_t struct_size;        // set by the caller: sizeof(ft_progress)
  ft_job_status status;      // the job's status
  int64_t step;              // optimizer steps completed, 0 before the first one
  int64_t total_steps;       // optimizer steps the run will take, 0 until planned; once a run
                             // that stopped early (epoch_selection) succeeded, the steps it took
  int32_t epoch;             // the epoch being trained, from 1; 0 before training starts
  int32_t n_epochs;          // epochs the run will take, 0 until planned (as total_steps)
  double train_loss;         // the training loss of the latest step, -1 before the first
  double tokens_per_second;  // recent training speed, -1 until measured
  double elapsed_seconds;    // wall-clock seconds spent running, over all resumes; 0 before
  double eta_seconds;        // estimated seconds until it finishes, -1 when unknown, 0 once final
} ft_progress;

// The smallest struct_size ft_job_progress accepts: the size of the struct of ABI 1.0, whose
// every field a 1.x plugin fills.
#define FT_PROGRESS_SIZE_1_0 (offsetof(ft_progress, eta_seconds) + sizeof(double))
// An initializer valid in C and C++: `ft_progress p = FT_PROGRESS_INIT;`
#define FT_PROGRESS_INIT {sizeof(ft_progress), FT_JOB_VALIDATING_FILES, 0, 0, 0, 0, -1.0, -1.0, 0.0, -1.0}

// Receives one event of a job: `job_id` is the job's id, `event_json` one event object exactly as
// ft_job_events lists it (docs/api.md). Both strings are borrowed for the call: copy what you
// keep. `user_data` is ft_callbacks.user_data.
//
// Called on a plugin worker thread, never on the thread that created the job. Events of one job
// arrive in order of their "seq", one call at a time; events of different jobs may arrive
// concurrently on different threads. Every event is recorded (ft_job_events lists it) before it
// is delivered. The callback must return quickly and must not block (a host with a UI thread
// posts a message to it); it must not call ft_close or ft_job_wait. It may call the functions
// that return at once: ft_job_get, ft_job_list, ft_job_hyperparameters, ft_job_events,
// ft_job_progress, ft_job_cancel (to stop a run whose loss diverges, say), ft_free and the
// helpers.
typedef void (*ft_event_fn)(void *user_data, const char *job_id, const char *event_json);

// What a job calls back. Passed to ft_job_create, which copies it.
typedef struct ft_callbacks {
  size_t struct_size;    // set by the caller: sizeof(ft_callbacks)
  void *user_data;       // passed back unchanged to every callback; may be NULL
  ft_event_fn on_event;  // may be NULL: no event callbacks (poll with ft_job_events)
} ft_callbacks;

// The smallest struct_size ft_job_create accepts for its callbacks.
#define FT_CALLBACKS_SIZE_1_0 (offsetof(ft_callbacks, on_event) + sizeof(ft_event_fn))
// An initializer valid in C and C++: `ft_callbacks cb = FT_CALLBACKS_INIT;`
#define FT_CALLBACKS_INIT {sizeof(ft_callbacks), NULL, NULL}

// ---------------------------------------------------------------------------------------------
// Handshake, errors, memory
// ---------------------------------------------------------------------------------------------

// The ABI version of the library: (major << 16) | minor. A host checks it before calling anything
// else, e.g. with FT_ABI_VERSION_IS_COMPATIBLE(ft_abi_version()).
// [thread-safe]
FT_API uint32_t ft_abi_version(void);

// A human-readable version line: the library, the libtorch it was built with, and the devices
// this machine offers, e.g. "finetune 0.1.0 (ABI 1.0; libtorch 2.3.0; cuda: NVIDIA H100 80GB HBM3)"
// or "finetune 0.1.0 (ABI 1.0; libtorch 1.13.1; cpu, 16 threads)". For display and bug reports;
// its format is not part of the ABI.
// Returns a static string owned by the plugin, valid until the library is unloaded; never NULL.
// [thread-safe]
FT_API const char *ft_version(void);

// The message of the failure of the latest call on this thread: says what failed and why, naming
// the file, line, job or parameter concerned (e.g. `hyperparameters.n_epochs must be "auto" or an
// integer from 1 to 50, found 0`). Every function that returns an ft_status sets it: to the
// message on failure, to "" on FT_OK. ft_close sets it too.
// The other functions (ft_abi_version, ft_version, ft_status_name, ft_job_status_name, ft_free,
// ft_get_api) leave it as it is.
// Returns a string owned by the plugin, valid on this thread until the thread's next call of a
// function that sets it; never NULL.
// [thread-safe] (each thread has its own)
FT_API const char *ft_last_error(void);

// The name of a status as the JSON documents spell it: "ok", "invalid_argument", "not_found",
// "invalid_input", "state", "timeout", "io", "out_of_memory", "unsupported", "internal"; "unknown"
// for a value outside the enum. A job's error.code uses the same names (docs/api.md).
// Returns a static string; never NULL.
// [thread-safe]
FT_API const char *ft_status_name(ft_status status);

// The name of a job status as the job object spells it: "validating_files", "queued", "running",
// "succeeded", "failed", "cancelled"; "unknown" for a value outside the enum.
// Returns a static string; never NULL.
// [thread-safe]
FT_API const char *ft_job_status_name(ft_job_status status);

// Frees a string the plugin returned through a `char **out` parameter. ft_free(NULL) does
// nothing. Freeing anything else, or twice, is undefined.
// [thread-safe]
FT_API void ft_free(void *p);

// ---------------------------------------------------------------------------------------------
// The workspace
// ---------------------------------------------------------------------------------------------

// Opens a workspace: the folder where jobs live. Creates it (and its parents) when missing,
// lists every job already in it, and marks the ones that were validating, queued or running when
// their process died as failed with error.code "interrupted" (each gets an event saying so; see
// ft_job_resume).
//
// `options_json` (borrowed) is a JSON object:
//   "workspace"            string, required: the folder, absolute or relative to the current
//                          directory.
//   "device"               "auto" (default): the first CUDA GPU if there is one, else the CPU;
//                          "cpu"; "cuda" (the first GPU) or "cuda:N".
//   "max_concurrent_jobs"  integer 1 to 64, default 1: jobs that train at once; more wait as
//                          "queued". (Jobs share the device: one at a time is fastest overall.)
//   "threads"              integer 0 to 1024, default 0: CPU threads for training, 0 meaning one
//                          per core available to the process. This sets libtorch's intra-op
//                          thread count, which is process-wide.
// Unknown keys are refused, so that a misspelt option is not silently ignored.
//
// The first ft_open also makes mimalloc the allocator of libtorch's CPU tensors, which is
// process-wide too: a host that uses libtorch itself shares it (it fragments less than glibc's
// malloc; docs/performance.md). The library is not meant to be unloaded (dlclose) before exit.
//
// A workspace is open in at most one handle at a time, across processes (a lock in the folder,
// released by ft_close or by the death of the process).
//
// On success sets *out_plugin to a new handle, to be destroyed with ft_close.
// Errors: FT_ERR_INVALID_ARGUMENT (NULL pointer, not a JSON object, missing workspace, unknown
// key, wrong type or range), FT_ERR_UNSUPPORTED (a CUDA device asked for but not available),
// FT_ERR_STATE (the workspace is open elsewhere), FT_ERR_IO (the folder cannot be created, read
// or written, or is not a folder). A job folder whose files cannot be read is skipped, not an
// error (docs/api.md).
// [thread-safe]
FT_API ft_status ft_open(const char *options_json, ft_plugin **out_plugin);

// Closes a handle: cancels the jobs that are queued or running (they end "cancelled" and can be
// resumed by a later ft_open + ft_job_resume), waits for them to stop (about one optimizer step
// each), delivers their last events, joins every thread the plugin started, releases the
// workspace and frees the handle. When it returns no callback of this handle will run again, and
// once every handle is closed the host may dlclose the library.
// ft_close(NULL) does nothing. A handle already closed is detected: nothing happens and
// ft_last_error() says so.
// [any thread, not concurrently with any call on the handle, not from a callback]
FT_API void ft_close(ft_plugin *plugin);

// ---------------------------------------------------------------------------------------------
// Planning and jobs
// ---------------------------------------------------------------------------------------------

// Validates a request and resolves every hyper-parameter without training: reads and tokenizes
// the training and validation files, reads the model's config, and on a GPU may run a few probe
// passes to find the micro-batch that fits. Returns each hyper-parameter's value, whether the
// user set it or the plugin chose it, the reason, the data statistics, and the estimate of steps,
// tokens, memory and time. Blocks the calling thread (seconds for large files or models).
//
// `request_json` (borrowed): a fine-tuning request, the same document ft_job_create takes
// (docs/api.md: model, training_file, validation_file, method, hyperparameters, suffix, seed).
// On success sets *out_json to the plan (docs/api.md), owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT (bad request document or value, e.g. batch_size larger than the
// number of examples), FT_ERR_NOT_FOUND (a file or model folder that does not exist),
// FT_ERR_INVALID_INPUT (the training or validation file has problems: the message lists them
// with their line numbers; or a broken model folder), FT_ERR_UNSUPPORTED (method, architecture,
// pickle weights), FT_ERR_IO, FT_ERR_OUT_OF_MEMORY. A model too large to train on the device even
// one sequence at a time is FT_ERR_INVALID_ARGUMENT with a message about "model".
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_plan(ft_plugin *plugin, const char *request_json, char **out_json);

// Starts a fine-tune as a background job and returns its job object at once, status
// "validating_files"; the calling thread never waits for validation or training. The checks that
// need no file reading are done before it returns (the request's keys, types and ranges, and
// that the model and files exist); the rest (the files' content, hyper-parameters that depend on
// the data, memory) is checked by the job, which then fails with "error" saying what and where.
//
// `request_json` (borrowed): as for ft_plan. Relative paths are resolved against the current
//   directory now; the job records absolute paths.
// `callbacks` (borrowed, copied): may be NULL. Its struct_size must be at least
//   FT_CALLBACKS_SIZE_1_0. on_event is called for every event of this job (see ft_event_fn);
//   user_data must stay valid until the job is final and ft_job_wait has returned its status, or
//   ft_close has returned, whichever is first. A job resumed with ft_job_resume has no callbacks.
// On success sets *out_job_json to the job object (docs/api.md), owned by the caller, freed with
// ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT (bad request document or value, bad struct_size),
// FT_ERR_NOT_FOUND (model, training_file or validation_file does not exist), FT_ERR_UNSUPPORTED
// (method), FT_ERR_IO (the job folder cannot be written).
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_create(ft_plugin *plugin, const char *request_json, const ft_callbacks *callbacks,
                               char **out_job_json);

// The job object of one job (docs/api.md): status, times, model, output folder, trained tokens,
// error, hyper-parameter values, latest metrics.
// On success sets *out_json, owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT (NULL, malformed job id), FT_ERR_NOT_FOUND (no such job).
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_get(ft_plugin *plugin, const char *job_id, char **out_json);

// Every job of the workspace, newest first (the host's "Trainings" list), including those of
// earlier processes: {"data": [job objects]}.
// On success sets *out_json, owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT (NULL), FT_ERR_IO.
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_list(ft_plugin *plugin, char **out_json);

// Every hyper-parameter the job runs or ran with: value, "auto" or "user", and the reason
// (docs/api.md). Available once the job has left "validating_files" without failing.
// On success sets *out_json, owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT, FT_ERR_NOT_FOUND, FT_ERR_STATE (the job is still validating
// its files, or failed before its hyper-parameters were resolved).
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_hyperparameters(ft_plugin *plugin, const char *job_id, char **out_json);

// The job's events with a sequence number greater than `after_seq`, oldest first: messages
// (status changes, warnings, errors) and one metrics event per optimizer step
// (docs/api.md). Sequence numbers start at 1 and grow by 1, across resumes, so 0 lists from the
// start and the last "seq" seen is the next call's after_seq. At most 1000 events per call;
// "has_more" says whether more follow.
// On success sets *out_json, owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT, FT_ERR_NOT_FOUND, FT_ERR_IO.
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_events(ft_plugin *plugin, const char *job_id, uint64_t after_seq, char **out_json);

// A typed snapshot of the job's progress, cheap enough to poll many times a second.
// `progress` (caller's memory): progress->struct_size must be set by the caller and be at least
// FT_PROGRESS_SIZE_1_0; the plugin fills the fields it knows that lie within struct_size (at most
// struct_size bytes), leaves any later bytes untouched and never writes struct_size.
// Errors: FT_ERR_INVALID_ARGUMENT (NULL, malformed id, struct_size too small), FT_ERR_NOT_FOUND.
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_progress(ft_plugin *plugin, const char *job_id, ft_progress *progress);

// Asks a job to stop. Cooperative: a job validating its files or queued ends "cancelled" at
// once; a running job stops within about one optimizer step, then ends "cancelled". Returns
// without waiting (use ft_job_wait). Idempotent: cancelling a cancelled job, or one whose cancel
// is under way, gives FT_OK. Once it has returned FT_OK the job ends "cancelled", never
// "succeeded". A cancelled job keeps its files and can be resumed.
// Errors: FT_ERR_INVALID_ARGUMENT, FT_ERR_NOT_FOUND, FT_ERR_STATE (the job already succeeded or
// failed; it is left as it is).
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_cancel(ft_plugin *plugin, const char *job_id);

// Blocks until the job is final (succeeded, failed or cancelled) or `timeout_ms` milliseconds
// pass. timeout_ms < 0 waits without limit; 0 checks without waiting. On FT_OK the job is final
// and every event of it has been delivered to on_event; *out_status is its final status (a failed
// or cancelled job is FT_OK here: the wait succeeded). `out_status` may be NULL.
// To wake a waiting thread early, cancel the job from another thread.
// Errors: FT_ERR_INVALID_ARGUMENT, FT_ERR_NOT_FOUND, FT_ERR_TIMEOUT (not final yet; *out_status
// untouched: read the status with ft_job_progress).
// [any thread, not concurrently with ft_close]; never from a callback.
FT_API ft_status ft_job_wait(ft_plugin *plugin, const char *job_id, int64_t timeout_ms, ft_job_status *out_status);

// Continues a job that did not finish: one that failed with error.code "interrupted" (its
// process died, see ft_open) or "io" (a write failed: a full disk), or was cancelled. The same
// job, with the same id, hyper-parameters and seed, is queued again and continues from its
// newest checkpoint (or from the first step when none was written) as if it had never stopped; events and metrics are appended to the
// ones recorded, never rewritten (steps after the checkpoint are trained and recorded again).
// The job's error and finished_at are cleared; started_at keeps the first start. The resumed job
// has no callbacks: poll ft_job_events and ft_job_progress.
// On success sets *out_job_json to the job object (status "queued"), owned by the caller, freed
// with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT, FT_ERR_NOT_FOUND, FT_ERR_STATE (the job is not final, it
// succeeded, or it failed for another reason than an interruption or a failed write),
// FT_ERR_INVALID_INPUT (its request is unreadable), FT_ERR_IO (the change cannot be written).
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_job_resume(ft_plugin *plugin, const char *job_id, char **out_job_json);

// ---------------------------------------------------------------------------------------------
// Trying a model
// ---------------------------------------------------------------------------------------------

// Completes a prompt with a fine-tuned model (the job id of a succeeded job) or any Hugging Face
// checkpoint folder. Blocks the calling thread while it generates; may run while jobs train.
// The handle keeps the model loaded for the next call (one model at a time; ft_close or a call
// with another model releases it); calls on one handle are serialised.
//
// `request_json` (borrowed): {"model", "prompt" or "messages", "max_tokens", "temperature",
// "top_p", "seed"} (docs/api.md). On success sets *out_json to {"text", "tokens",
// "finish_reason"}, owned by the caller, freed with ft_free.
// Errors: FT_ERR_INVALID_ARGUMENT (bad request), FT_ERR_NOT_FOUND (no such job or folder),
// FT_ERR_STATE (the job has not succeeded), FT_ERR_INVALID_INPUT (a broken checkpoint),
// FT_ERR_UNSUPPORTED (architecture, pickle weights), FT_ERR_OUT_OF_MEMORY.
// [any thread, not concurrently with ft_close]
FT_API ft_status ft_generate(ft_plugin *plugin, const char *request_json, char **out_json);

// ---------------------------------------------------------------------------------------------
// The function table
// ---------------------------------------------------------------------------------------------

// Every function of the ABI, for hosts that resolve one symbol (ft_get_api). The members have
// the functions' names and exact types.
//
// This struct only ever grows at the end: a member is never removed, reordered or retyped within
// a major version. A table from a newer library may be larger than this header's struct, one from
// an older 1.x library smaller: check a member added after 1.0 with FT_API_HAS before calling it.
typedef struct ft_api {
  size_t struct_size;    // sizeof(ft_api) as the library was built: how many members it has
  uint32_t abi_version;  // the same as ft_abi_version()

  // ABI 1.0
  uint32_t (*ft_abi_version)(void);
  const char *(*ft_version)(void);
  const char *(*ft_last_error)(void);
  const char *(*ft_status_name)(ft_status status);
  const char *(*ft_job_status_name)(ft_job_status status);
  void (*ft_free)(void *p);
  ft_status (*ft_open)(const char *options_json, ft_plugin **out_plugin);
  void (*ft_close)(ft_plugin *plugin);
  ft_status (*ft_plan)(ft_plugin *plugin, const char *request_json, char **out_json);
  ft_status (*ft_job_create)(ft_plugin *plugin, const char *request_json, const ft_callbacks *callbacks,
                             char **out_job_json);
  ft_status (*ft_job_get)(ft_plugin *plugin, const char *job_id, char **out_json);
  ft_status (*ft_job_list)(ft_plugin *plugin, char **out_json);
  ft_status (*ft_job_hyperparameters)(ft_plugin *plugin, const char *job_id, char **out_json);
  ft_status (*ft_job_events)(ft_plugin *plugin, const char *job_id, uint64_t after_seq, char **out_json);
  ft_status (*ft_job_progress)(ft_plugin *plugin, const char *job_id, ft_progress *progress);
  ft_status (*ft_job_cancel)(ft_plugin *plugin, const char *job_id);
  ft_status (*ft_job_wait)(ft_plugin *plugin, const char *job_id, int64_t timeout_ms, ft_job_status *out_status);
  ft_status (*ft_job_resume)(ft_plugin *plugin, const char *job_id, char **out_job_json);
  ft_status (*ft_generate)(ft_plugin *plugin, const char *request_json, char **out_json);
  // Members added by later minor versions go here, at the end, in order.
} ft_api;

// Whether a table has a member: true for every 1.0 member of a 1.x table.
#define FT_API_HAS(api, member) ((api)->struct_size >= offsetof(ft_api, member) + sizeof((api)->member))

// The table of every function for ABI major version `abi_major`, or NULL when the library does
// not provide that major version. The table is static: owned by the plugin, constant, valid until
// the library is unloaded. The same functions are also exported by name.
// [thread-safe]
FT_API const ft_api *ft_get_api(uint32_t abi_major);

// The type of ft_get_api, for dlsym. In C (-pedantic): `*(void **)&get = dlsym(lib, "ft_get_api");`
// In C++: `auto get = reinterpret_cast<ft_get_api_fn>(dlsym(lib, "ft_get_api"));`
typedef const ft_api *(*ft_get_api_fn)(uint32_t abi_major);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FINETUNE_FINETUNE_H
