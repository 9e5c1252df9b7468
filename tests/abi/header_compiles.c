/* Compiled only, never run: proves that the public header is C99 that a strict compiler accepts
   (-std=c99 -Wall -Wextra -pedantic -Werror) and pins a few facts of the ABI at compile time. */
#include <finetune/finetune.h>

#include <stddef.h>

_Static_assert(FT_OK == 0, "FT_OK must be 0");
_Static_assert(FT_ERR_INTERNAL == 9, "ft_status values are part of the ABI");
_Static_assert(FT_JOB_VALIDATING_FILES == 0 && FT_JOB_CANCELLED == 5, "ft_job_status values are part of the ABI");
_Static_assert(sizeof(ft_status) == sizeof(int) && sizeof(ft_job_status) == sizeof(int),
               "the enums are int-sized, as FFI callers (ctypes) declare them");

_Static_assert(offsetof(ft_progress, struct_size) == 0, "ft_progress starts with struct_size");
_Static_assert(offsetof(ft_callbacks, struct_size) == 0, "ft_callbacks starts with struct_size");
_Static_assert(offsetof(ft_api, struct_size) == 0, "ft_api starts with struct_size");
_Static_assert(FT_PROGRESS_SIZE_1_0 <= sizeof(ft_progress), "the 1.0 size fits the struct");
_Static_assert(FT_CALLBACKS_SIZE_1_0 <= sizeof(ft_callbacks), "the 1.0 size fits the struct");

_Static_assert(FT_ABI_VERSION_GET_MAJOR(FT_ABI_VERSION) == FT_ABI_VERSION_MAJOR, "major version packing");
_Static_assert(FT_ABI_VERSION_GET_MINOR(FT_ABI_VERSION) == FT_ABI_VERSION_MINOR, "minor version packing");
_Static_assert(sizeof("ftjob-") - 1 + 24 == FT_JOB_ID_LENGTH, "job id length");

/* The table's members have the exported functions' exact types: these assignments would not
   compile otherwise. Never called: the object file is compiled, not linked or run. */
int header_compiles_check(void);
int header_compiles_check(void) {
  ft_api api;
  ft_progress progress = FT_PROGRESS_INIT;
  ft_callbacks callbacks = FT_CALLBACKS_INIT;
  ft_get_api_fn get_api = &ft_get_api;
  api.struct_size = sizeof api;
  api.abi_version = FT_ABI_VERSION;
  api.ft_abi_version = &ft_abi_version;
  api.ft_version = &ft_version;
  api.ft_last_error = &ft_last_error;
  api.ft_status_name = &ft_status_name;
  api.ft_job_status_name = &ft_job_status_name;
  api.ft_free = &ft_free;
  api.ft_open = &ft_open;
  api.ft_close = &ft_close;
  api.ft_plan = &ft_plan;
  api.ft_job_create = &ft_job_create;
  api.ft_job_get = &ft_job_get;
  api.ft_job_list = &ft_job_list;
  api.ft_job_hyperparameters = &ft_job_hyperparameters;
  api.ft_job_events = &ft_job_events;
  api.ft_job_progress = &ft_job_progress;
  api.ft_job_cancel = &ft_job_cancel;
  api.ft_job_wait = &ft_job_wait;
  api.ft_job_resume = &ft_job_resume;
  api.ft_generate = &ft_generate;
  (void)progress;
  (void)callbacks;
  (void)get_api;
  /* The host-side macros compile without warnings. */
  return FT_API_HAS(&api, ft_generate) && FT_ABI_VERSION_IS_COMPATIBLE(api.ft_abi_version());
}
