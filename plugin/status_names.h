// The names of ft_status and ft_job_status values as the JSON documents spell them.
#pragma once

#include <finetune/finetune.h>

#include <optional>
#include <string>

namespace ft::plugin {

const char* status_name(ft_status status);          // "invalid_argument"; "unknown" outside the enum
const char* job_status_name(ft_job_status status);  // "validating_files"; "unknown" outside the enum
std::optional<ft_job_status> job_status_from_name(const std::string& name);

// succeeded, failed or cancelled: nothing more happens to the job unless it is resumed.
bool is_final(ft_job_status status);

}  // namespace ft::plugin
