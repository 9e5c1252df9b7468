// The learning-rate probe through the ABI: planned by ft_plan, run at the start of the job, its
// trials posted as events, its rate recorded with the plan, and kept when the job resumes.
#include "tests/plugin/plugin_host.h"

#include <algorithm>

using namespace ft::testing;

namespace {

std::vector<nlohmann::json> trials_of(const nlohmann::json& events) {
  std::vector<nlohmann::json> trials;
  for (const auto& e : events) {
    if (e["type"] == "learning_rate_trial") trials.push_back(e["data"]);
  }
  return trials;
}

}  // namespace

TEST_CASE("A job measures its learning rate on held-out examples before its first step", "[plugin][probe]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(write_copy_data(folder, "train.jsonl", 40));
  // Auto epochs without a validation file (with one the run selects its epoch instead), so that
  // the probe measures the epochs too, on a fifth of the training file set aside.
  request["hyperparameters"]["n_epochs"] = "auto";
  const auto plan = workspace.plan(request);
  REQUIRE(plan.ok());
  const auto& planned = plan.json["hyperparameters"];
  CHECK(planned["learning_rate_probe"]["value"] == "planned");
  CHECK(planned["learning_rate_probe_examples"]["value"] == 32);
  CHECK(planned["learning_rate_probe_held_out"]["value"] == 8);
  const double rule_rate = planned["learning_rate"]["value"];
  const int64_t rule_epochs = planned["n_epochs"]["value"];
  CHECK(planned["learning_rate_probe_epochs"]["value"] == 2 * rule_epochs);

  const auto created = workspace.create(request);
  REQUIRE(created.ok());
  const std::string id = created.json["id"];
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  const auto events = workspace.events(id).json["data"];
  const auto trials = trials_of(events);
  REQUIRE(trials.size() >= 3);
  CHECK(trials.size() <= 8);
  CHECK(trials.back()["n_epochs"] == 2 * rule_epochs);  // the longer trials come last
  CHECK(trials[0]["learning_rate"] == rule_rate);
  // Every trial comes before the first step.
  const auto first_step = std::find_if(events.begin(), events.end(), [](const auto& e) { return e["type"] == "metrics"; });
  const auto last_trial = std::find_if(events.rbegin(), events.rend(), [](const auto& e) { return e["type"] == "learning_rate_trial"; });
  CHECK((*last_trial)["seq"] < (*first_step)["seq"]);

  const auto hyper = workspace.hyperparameters(id).json["hyperparameters"];
  CHECK(hyper["learning_rate_probe"]["value"] == "done");
  const auto best = *std::min_element(trials.begin(), trials.end(), [](const auto& a, const auto& b) {
    return a["held_out_loss"].template get<double>() < b["held_out_loss"].template get<double>();
  });
  CHECK(hyper["learning_rate"]["value"] == best["learning_rate"]);
  // The run trains the best trial's epochs, and its steps follow.
  CHECK(hyper["n_epochs"]["value"] == best["n_epochs"]);
  const int64_t total_steps = hyper["total_steps"]["value"];
  CHECK(total_steps == hyper["steps_per_epoch"]["value"].get<int64_t>() * best["n_epochs"].get<int64_t>());
  CHECK(std::count_if(events.begin(), events.end(), [](const auto& e) { return e["type"] == "metrics"; }) == total_steps);
  CHECK(hyper["learning_rate"]["reason"].get<std::string>().rfind("measured on this job's data", 0) == 0);
  CHECK(hyper["learning_rate_multiplier"]["value"].get<double>() ==
        Approx(planned["learning_rate_multiplier"]["value"].get<double>() * best["learning_rate"].get<double>() / rule_rate));
  // The steps train at the measured rate: the schedule's peak.
  double peak = 0;
  for (const auto& e : events) {
    if (e["type"] == "metrics") peak = std::max(peak, e["data"]["learning_rate"].get<double>());
  }
  CHECK(peak == Approx(best["learning_rate"].get<double>()));
}

TEST_CASE("A resumed job keeps its measured rate and does not probe again", "[plugin][probe]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  const auto created = workspace.create(copy_request(write_copy_data(folder, "train.jsonl", 40), 3));
  REQUIRE(created.ok());
  const std::string id = created.json["id"];
  workspace.wait_for_step(id, 3);
  REQUIRE(api().ft_job_cancel(workspace.get(), id.c_str()) == FT_OK);
  REQUIRE(workspace.wait(id) == FT_JOB_CANCELLED);
  const auto measured = workspace.hyperparameters(id).json["hyperparameters"]["learning_rate"];
  // Without a validation file the trials scored a fifth of the training file.
  CHECK(workspace.hyperparameters(id).json["hyperparameters"]["learning_rate_probe_held_out"]["value"] == 8);
  const size_t trials = trials_of(workspace.events(id).json["data"]).size();
  REQUIRE(trials >= 3);

  REQUIRE(workspace.resume(id).ok());
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  CHECK(trials_of(workspace.events(id).json["data"]).size() == trials);
  CHECK(workspace.hyperparameters(id).json["hyperparameters"]["learning_rate"] == measured);
}

TEST_CASE("learning_rate_probe off, or a multiplier set, trains at the rule's rate", "[plugin][probe]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  for (const auto& set : {nlohmann::json{{"learning_rate_probe", "off"}}, nlohmann::json{{"learning_rate_multiplier", 0.1}}}) {
    auto request = copy_request(train);
    request["hyperparameters"].update(set);
    const auto created = workspace.create(request);
    REQUIRE(created.ok());
    const std::string id = created.json["id"];
    REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
    const auto hyper = workspace.hyperparameters(id).json["hyperparameters"];
    CHECK(hyper["learning_rate_probe"]["value"] == "off");
    CHECK(trials_of(workspace.events(id).json["data"]).empty());
    CHECK(hyper["learning_rate"]["reason"].get<std::string>().find("measured") == std::string::npos);
  }
}
