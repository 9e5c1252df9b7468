// ft_plan: every hyper-parameter with its value, source and reason, without training; and the
// requests it refuses.
#include "tests/plugin/plugin_host.h"

using namespace ft::testing;

TEST_CASE("ft_plan resolves every hyper-parameter with its source and reason", "[plugin][plan]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  const auto valid = write_copy_data(folder, "valid.jsonl", 8, 40);
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(train);
  request["validation_file"] = valid.string();
  const auto plan = workspace.plan(request);
  REQUIRE(plan.error == "");
  REQUIRE(plan.ok());

  const auto& h = plan.json.at("hyperparameters");
  for (const char* name : {"n_epochs", "batch_size", "micro_batch_size", "gradient_accumulation_steps",
                           "learning_rate_multiplier", "learning_rate", "prompt_loss_weight", "max_seq_len",
                           "warmup_steps", "lr_schedule", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon",
                           "max_grad_norm", "seed", "steps_per_epoch", "total_steps", "total_tokens",
                           "estimated_memory_bytes", "estimated_seconds", "checkpoint_interval_steps"}) {
    INFO(name);
    REQUIRE(h.contains(name));
    CHECK(h[name].contains("value"));
    CHECK((h[name]["source"] == "auto" || h[name]["source"] == "user"));
    CHECK_FALSE(h[name]["reason"].get<std::string>().empty());
  }
  CHECK(h["n_epochs"]["value"] == 2);
  CHECK(h["n_epochs"]["source"] == "user");
  CHECK(h["batch_size"]["source"] == "auto");
  CHECK(h["seed"]["value"] == 7);
  CHECK(plan.json["data"]["training"]["examples"] == 40);
  CHECK(plan.json["data"]["validation"]["examples"] == 8);
  CHECK(plan.json["estimate"]["total_steps"] == h["total_steps"]["value"]);
  CHECK(plan.json["warnings"].is_array());
  CHECK(plan.json["device"].is_string());
  // What a host shows beside the plan: the tiny-llama fixture is a Llama.
  CHECK(plan.json["model"]["architecture"] == "llama");
  CHECK(plan.json["model"]["pretrained"] == true);
  CHECK(plan.json["model"]["parameters"].get<int64_t>() > 0);
  // Nothing is written to the workspace.
  CHECK(std::filesystem::is_empty(folder.path() / "ws" / "jobs"));
}

TEST_CASE("ft_plan and ft_job_create refuse bad requests with the status the header gives", "[plugin][plan]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  Workspace workspace(folder.path() / "ws");
  auto expect = [&](const nlohmann::json& request, ft_status status, const std::string& mentions) {
    INFO(request.dump());
    const auto plan = workspace.plan(request);
    CHECK(plan.status == status);
    CHECK(plan.error.find(mentions) != std::string::npos);
    const auto job = workspace.create(request);
    if (status != FT_ERR_INVALID_INPUT) {  // file contents are the job's to check
      CHECK(job.status == status);
      CHECK(job.error.find(mentions) != std::string::npos);
    }
  };
  auto request = copy_request(train);
  auto without_training_file = request;
  without_training_file.erase("training_file");
  expect(without_training_file, FT_ERR_INVALID_ARGUMENT, "training_file");
  auto unknown_key = request;
  unknown_key["epochs"] = 3;
  expect(unknown_key, FT_ERR_INVALID_ARGUMENT, "epochs");
  auto zero_epochs = request;
  zero_epochs["hyperparameters"]["n_epochs"] = 0;
  expect(zero_epochs, FT_ERR_INVALID_ARGUMENT, "n_epochs");
  auto bad_seed = request;
  bad_seed["seed"] = -4;
  expect(bad_seed, FT_ERR_INVALID_ARGUMENT, "seed");
  auto unknown_method = request;
  unknown_method["method"] = "dpo";
  expect(unknown_method, FT_ERR_UNSUPPORTED, "method");
  auto no_model = request;
  no_model["model"] = (folder.path() / "no-such-model").string();
  expect(no_model, FT_ERR_NOT_FOUND, "model");
  auto no_file = request;
  no_file["training_file"] = (folder.path() / "missing.jsonl").string();
  expect(no_file, FT_ERR_NOT_FOUND, "training_file");
  auto no_validation = request;
  no_validation["validation_file"] = (folder.path() / "missing.jsonl").string();
  expect(no_validation, FT_ERR_NOT_FOUND, "validation_file");

  for (const char* text : {"", "{", "[]", "{\"model\": 1,}", "null"}) {
    char* out = reinterpret_cast<char*>(0x77);
    CHECK(api().ft_plan(workspace.get(), text, &out) == FT_ERR_INVALID_ARGUMENT);
    CHECK(out == reinterpret_cast<char*>(0x77));
  }
}

TEST_CASE("a malformed training file fails the plan with every bad line", "[plugin][plan]") {
  TempFolder folder;
  std::string lines = read_text(write_copy_data(folder, "good.jsonl", 10));
  lines.insert(lines.find('\n') + 1, "{\"prompt\": \"broken\n");  // line 2 is not JSON
  const auto train = folder.write("bad.jsonl", lines);
  Workspace workspace(folder.path() / "ws");
  const auto plan = workspace.plan(copy_request(train));
  CHECK(plan.status == FT_ERR_INVALID_INPUT);
  CHECK(plan.error.find("line 2") != std::string::npos);
  CHECK(plan.error.find("bad.jsonl") != std::string::npos);
}
