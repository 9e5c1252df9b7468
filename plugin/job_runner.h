// The work of a job on a plugin worker thread: validating its files (validating_files ->
// queued), then training it (running -> succeeded, failed or cancelled). Neither throws: every
// failure ends the job "failed" with an error naming what and where.
#pragma once

#include "engine/distributed/distributed_group.h"
#include "plugin/job.h"

#include <torch/torch.h>

namespace ft::plugin {

// In a data-parallel world (`group`), every rank runs both for the same job, in the same order:
// rank 0 resolves the plan and every rank trains with it (checking its own copy of the files);
// rank 0 alone writes checkpoints and the model; every rank starts from rank 0's weights and
// checkpoint. A rank whose job fails breaks the group, so the job fails on every rank, naming it.

// Reads and checks the model and every data line and resolves the hyper-parameters (ft_plan's
// work); writes hyperparameters.json and queues the job. True when the job is now queued.
bool validate_job(Job& job, const torch::Device& device, DistributedGroup* group = nullptr);

// Trains a claimed (running) job: loads the model and data again, continues from the newest
// checkpoint when there is one, records every step, writes the model to model/.
void run_job(Job& job, const torch::Device& device, const std::shared_ptr<DistributedGroup>& group = nullptr);

// A job that will not train on this rank (cancelled while it waited): the other ranks must not
// wait for it.
void withdraw_from_world(Job& job, DistributedGroup* group);

}  // namespace ft::plugin
