// Epoch selection through the ABI: a job with a validation file and auto epochs scores every
// epoch on it, stops once two epochs in a row have not improved on the best, and delivers the
// best epoch's weights.
#include "tests/plugin/plugin_host.h"

#include <algorithm>

using namespace ft::testing;
namespace fs = std::filesystem;

namespace {

// The copy task's prompts with their letters reversed as completions: what the model learns from
// the copy task first helps (the letters, the format), then hurts (copying), so the validation
// loss falls and then rises.
fs::path write_reversal_data(const TempFolder& folder, const std::string& name, int count, int offset) {
  std::string lines;
  for (int i = offset; i < offset + count; ++i) {
    std::string letters, reversed;
    for (int k = 0, v = i; k < 4; ++k, v /= 8) {
      const std::string letter(1, static_cast<char>('a' + v % 8));
      letters += (k ? " " : "") + letter;
      reversed = letter + (k ? " " : "") + reversed;
    }
    lines += nlohmann::json{{"prompt", "copy: " + letters + " ="}, {"completion", " " + reversed}}.dump() + "\n";
  }
  return folder.write(name, lines);
}

std::vector<nlohmann::json> all_events(const Workspace& workspace, const std::string& id) {
  std::vector<nlohmann::json> events;
  for (uint64_t after = 0;;) {
    const auto page = workspace.events(id, after).json;
    for (const auto& e : page["data"]) events.push_back(e);
    if (!page["has_more"].get<bool>() || page["data"].empty()) return events;
    after = events.back()["seq"].get<uint64_t>();
  }
}

}  // namespace

TEST_CASE("A job with a validation file delivers the epoch that scored best on it", "[plugin][epochs]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(write_copy_data(folder, "train.jsonl", 24));
  request["validation_file"] = write_reversal_data(folder, "valid.jsonl", 8, 100).string();
  // Epochs auto; prompt loss weight 0, so that each step's valid_loss is the completion loss the
  // selection compares; no probe, which is not what this test is about.
  request["hyperparameters"] = {{"n_epochs", "auto"}, {"prompt_loss_weight", 0}, {"learning_rate_multiplier", 20},
                                {"learning_rate_probe", "off"}};
  const auto created = workspace.create(request);
  REQUIRE(created.ok());
  const std::string id = created.json["id"];
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);

  const auto hyper = workspace.hyperparameters(id).json["hyperparameters"];
  CHECK(hyper["epoch_selection"]["value"] == "best_validation");
  const int64_t planned_epochs = hyper["n_epochs"]["value"], per_epoch = hyper["steps_per_epoch"]["value"];
  CHECK(planned_epochs == 2 * 5);  // the rule's ceil(100 / 24), doubled

  // The validation loss after each epoch, from the steps that end one.
  const auto events = all_events(workspace, id);
  std::vector<double> epoch_losses;
  for (const auto& e : events) {
    if (e["type"] == "metrics" && e["data"]["step"].get<int64_t>() % per_epoch == 0) {
      epoch_losses.push_back(e["data"]["valid_loss"].get<double>());
    }
  }
  const auto trained = static_cast<int64_t>(epoch_losses.size());
  const int64_t best = std::min_element(epoch_losses.begin(), epoch_losses.end()) - epoch_losses.begin() + 1;
  INFO("validation loss by epoch: " << nlohmann::json(epoch_losses).dump());
  // The data make the loss rise after a few epochs, so the run stops two epochs after its best.
  CHECK(best < trained);
  CHECK(trained < planned_epochs);
  CHECK(trained - best == 2);

  const auto selected = std::find_if(events.begin(), events.end(), [](const auto& e) { return e["type"] == "epoch_selected"; });
  REQUIRE(selected != events.end());
  CHECK((*selected)["data"]["epoch"] == best);
  CHECK((*selected)["data"]["epochs_trained"] == trained);
  CHECK((*selected)["data"]["valid_completion_loss"].get<double>() == Approx(epoch_losses[best - 1]));

  // The delivered weights are the best epoch's, whose checkpoint is kept for them.
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%04lld", static_cast<long long>(best));
  const auto checkpoint = folder.path() / "ws" / "jobs" / id / "checkpoints" / name;
  REQUIRE(fs::exists(checkpoint / "model" / "model.safetensors"));
  const auto done = workspace.get(id).json;
  CHECK(read_text(fs::path(done["fine_tuned_model"].get<std::string>()) / "model.safetensors") ==
        read_text(checkpoint / "model" / "model.safetensors"));
  // Done is done: the progress of a run that stopped early reads complete.
  const auto p = workspace.progress(id);
  CHECK(p.step == trained * per_epoch);
  CHECK(p.total_steps == p.step);
  CHECK(p.epoch == trained);
  CHECK(p.n_epochs == trained);
}
