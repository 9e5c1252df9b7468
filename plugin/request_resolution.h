// A fine-tuning request as ft_plan and ft_job_create receive it: parsed, checked as far as can
// be done without reading the files, and with its paths made absolute (a job records absolute
// paths, resolved against the current directory at the time of the call).
#pragma once

#include "engine/training_request.h"

namespace ft::plugin {

// Throws ApiError / ft::Error(invalid_argument) naming the key for text that is not a JSON
// object, an unknown key, a wrong type, or a hyper-parameter or seed out of range.
TrainingRequest read_request(const char* request_json);

// ft::Error(not_found) naming "model", "training_file" or "validation_file" when what it names
// does not exist (a model is a folder or the name of an architecture preset).
void require_request_files(const TrainingRequest& request);

}  // namespace ft::plugin
