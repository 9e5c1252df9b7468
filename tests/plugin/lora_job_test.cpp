// LoRA jobs through the ABI: the adapter folder, the merged model on request, generation with
// the adapters unmerged.
#include "tests/plugin/plugin_host.h"

using namespace ft::testing;
namespace fs = std::filesystem;

TEST_CASE("a LoRA job writes its adapters in PEFT's format, and ft_generate runs them unmerged", "[plugin][lora]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(write_copy_data(folder, "train.jsonl", 24), 1);
  request["method"] = "lora";
  const auto created = workspace.create(request);
  REQUIRE(created.error == "");
  CHECK(created.json["method"] == "lora");
  const std::string id = created.json["id"];
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);

  const auto jobs = folder.path() / "ws" / "jobs" / id;
  const auto done = workspace.get(id).json;
  CHECK(done["method"] == "lora");
  CHECK(done["fine_tuned_model"] == (jobs / "adapter").string());
  CHECK(fs::exists(jobs / "adapter" / "adapter_config.json"));
  CHECK(fs::exists(jobs / "adapter" / "adapter_model.safetensors"));
  CHECK(!fs::exists(jobs / "model"));  // no merge asked for
  const auto config = nlohmann::json::parse(read_text(jobs / "adapter" / "adapter_config.json"));
  CHECK(config["peft_type"] == "LORA");
  CHECK(config["base_model_name_or_path"] == request["model"]);

  const auto hyper = workspace.hyperparameters(id).json["hyperparameters"];
  CHECK(hyper["method"]["source"] == "user");
  for (const char* name : {"lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules"}) {
    INFO(name);
    CHECK(hyper[name]["source"] == "auto");
    CHECK(!hyper[name]["reason"].get<std::string>().empty());
  }
  CHECK(config["r"] == hyper["lora_rank"]["value"]);

  const auto text = workspace.generate({{"model", id}, {"prompt", "copy: a b c d ="}, {"max_tokens", 6}, {"temperature", 0}});
  REQUIRE(text.error == "");
  CHECK(text.json["text"].is_string());
}

TEST_CASE("a LoRA job with merge also writes the merged model; full fine-tuning refuses merge", "[plugin][lora]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(write_copy_data(folder, "train.jsonl", 16), 1);
  request["method"] = {{"type", "lora"}};
  request["merge"] = true;
  const auto created = workspace.create(request);
  REQUIRE(created.error == "");
  const std::string id = created.json["id"];
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);
  const auto jobs = folder.path() / "ws" / "jobs" / id;
  CHECK(workspace.get(id).json["fine_tuned_model"] == (jobs / "model").string());
  CHECK(fs::exists(jobs / "model" / "config.json"));
  CHECK(fs::exists(jobs / "adapter" / "adapter_config.json"));
  const auto merged = workspace.generate({{"model", id}, {"prompt", "copy: a b ="}, {"max_tokens", 4}, {"temperature", 0}});
  const auto unmerged = workspace.generate(
      {{"model", (jobs / "adapter").string()}, {"prompt", "copy: a b ="}, {"max_tokens", 4}, {"temperature", 0}});
  REQUIRE(merged.error == "");
  CHECK(merged.json == unmerged.json);  // greedy: the merged weights compute what the adapters do

  auto full = request;
  full["method"] = "full";
  CHECK(workspace.create(full).error.find("merge") != std::string::npos);
}
