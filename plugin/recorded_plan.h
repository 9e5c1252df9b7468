// A job's resolved hyper-parameters as recorded in hyperparameters.json, turned back into what
// the engine trains with. Training from the record (rather than planning again) is what lets a
// job resume exactly, in this process or a later one.
#pragma once

#include "engine/planning/hyperparameter_plan.h"
#include "engine/training_request.h"

#include <nlohmann/json.hpp>

namespace ft::plugin {

// {"<name>": {"value", "source", "reason"}, ...} back into a plan; ft::Error(invalid_input) when
// an entry is malformed.
HyperparameterPlan plan_from_json(const nlohmann::json& hyperparameters);

// The request with OpenAI's four hyper-parameters and the seed fixed to the recorded values, so
// that loading it again yields the same data order and batches.
TrainingRequest with_recorded_values(TrainingRequest request, const nlohmann::json& hyperparameters);

}  // namespace ft::plugin
