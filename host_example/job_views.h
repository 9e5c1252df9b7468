// Human views of the plugin's JSON documents: the plan, the "Trainings" list, one job, and the
// "Hyper-parameters" panel.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>

namespace fthost {

void print_hyperparameter_table(std::ostream& out, const nlohmann::json& hyperparameters);
void print_plan(std::ostream& out, const nlohmann::json& plan);
void print_trainings(std::ostream& out, const nlohmann::json& list);
void print_job(std::ostream& out, const nlohmann::json& job);

// "1.2345" or "-" for null.
std::string number_text(const nlohmann::json& value, int precision = 4);
// Unix seconds as local "YYYY-MM-DD HH:MM".
std::string time_text(const nlohmann::json& seconds);

}  // namespace fthost
