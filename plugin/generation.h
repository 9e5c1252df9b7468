// ft_generate: completing a prompt (or a chat) with a fine-tuned model, given as the id of a
// succeeded job or as a Hugging Face checkpoint folder.
#pragma once

#include "plugin/job_manager.h"
#include "plugin/resident_model.h"

#include <nlohmann/json.hpp>

namespace ft::plugin {

// `request`: {"model", "prompt" | "messages", "max_tokens", "temperature", "top_p", "seed"}.
// Returns {"text", "tokens", "finish_reason"}. Throws ApiError / ft::Error: invalid_argument
// (bad request), not_found (no such job or folder), state (the job did not succeed), and the
// engine's errors for a broken checkpoint. The model stays loaded in `resident` for the next call.
nlohmann::json generate(const nlohmann::json& request, const JobManager& jobs, ResidentModel& resident);

}  // namespace ft::plugin
