// ft_get_api: one symbol for hosts that resolve a single function; the table of all the others.
#include <finetune/finetune.h>

namespace {

// Static and constant: valid until the library is unloaded. New members go at the end only.
const ft_api kApi1 = {
    sizeof(ft_api),
    FT_ABI_VERSION,
    &ft_abi_version,
    &ft_version,
    &ft_last_error,
    &ft_status_name,
    &ft_job_status_name,
    &ft_free,
    &ft_open,
    &ft_close,
    &ft_plan,
    &ft_job_create,
    &ft_job_get,
    &ft_job_list,
    &ft_job_hyperparameters,
    &ft_job_events,
    &ft_job_progress,
    &ft_job_cancel,
    &ft_job_wait,
    &ft_job_resume,
    &ft_generate,
};

}  // namespace

const ft_api* ft_get_api(uint32_t abi_major) { return abi_major == FT_ABI_VERSION_MAJOR ? &kApi1 : nullptr; }
