// The work of a job on a plugin worker thread: validating its files (validating_files ->
// queued), then training it (running -> succeeded, failed or cancelled). Neither throws: every
// failure ends the job "failed" with an error naming what and where.
#pragma once

#include "plugin/job.h"

#include <torch/torch.h>

namespace ft::plugin {

// Reads and checks the model and every data line and resolves the hyper-parameters (ft_plan's
// work); writes hyperparameters.json and queues the job. True when the job is now queued.
bool validate_job(Job& job, const torch::Device& device);

// Trains a claimed (running) job: loads the model and data again, continues from the newest
// checkpoint when there is one, records every step, writes the model to model/.
void run_job(Job& job, const torch::Device& device);

}  // namespace ft::plugin
