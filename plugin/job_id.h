// Job ids: "ftjob-" and 24 characters of [0-9a-z] (FT_JOB_ID_LENGTH in all). They are made here
// and every id a caller passes is checked against that form before anything else, so no file
// path is ever built from a caller's string.
#pragma once

#include <string>

namespace ft::plugin {

// A new id. Its first 9 characters after "ftjob-" are the creation time in milliseconds in base
// 36 (made strictly increasing within the process), the rest random: ids sort by creation, which
// orders the job list within one second, and two processes practically never collide.
std::string make_job_id();

bool is_job_id(const std::string& text);

// The caller's id as a string; throws ApiError(FT_ERR_INVALID_ARGUMENT) for NULL or any other
// form, naming `function`.
std::string require_job_id(const char* job_id, const char* function);

}  // namespace ft::plugin
