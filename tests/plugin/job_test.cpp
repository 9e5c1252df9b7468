// A whole job through the ABI: create, follow, wait, read back everything it recorded, and try
// the model it made.
#include "tests/plugin/plugin_host.h"

#include <atomic>
#include <mutex>
#include <set>
#include <vector>

using namespace ft::testing;
namespace fs = std::filesystem;

namespace {

struct Received {
  std::mutex mutex;
  std::vector<nlohmann::json> events;
  std::set<std::thread::id> threads;
  std::string job_id;
};

void on_event(void* user_data, const char* job_id, const char* event_json) {
  auto& received = *static_cast<Received*>(user_data);
  std::lock_guard<std::mutex> lock(received.mutex);
  received.job_id = job_id;
  received.events.push_back(nlohmann::json::parse(event_json));
  received.threads.insert(std::this_thread::get_id());
}

std::vector<std::string> statuses_announced(const nlohmann::json& events) {
  std::vector<std::string> statuses;
  for (const auto& e : events) {
    if (e["type"] == "message" && e["data"].is_object()) statuses.push_back(e["data"]["status"]);
  }
  return statuses;
}

}  // namespace

TEST_CASE("a job runs from create to succeeded and records everything", "[plugin][job]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 40);
  const auto valid = write_copy_data(folder, "valid.jsonl", 8, 40);
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(train);
  request["validation_file"] = valid.string();
  request["suffix"] = "copy-bot";

  Received received;
  ft_callbacks callbacks = FT_CALLBACKS_INIT;
  callbacks.user_data = &received;
  callbacks.on_event = &on_event;
  const auto created = workspace.create(request, &callbacks);
  REQUIRE(created.error == "");
  const auto& job = created.json;
  const std::string id = job["id"];
  CHECK(id.size() == FT_JOB_ID_LENGTH);
  CHECK(id.rfind("ftjob-", 0) == 0);
  CHECK(job["object"] == "fine_tuning.job");
  CHECK(job["status"] == "validating_files");
  CHECK(job["training_file"] == fs::absolute(train).string());
  CHECK(job["hyperparameters"]["n_epochs"] == 2);
  CHECK(job["hyperparameters"]["batch_size"] == "auto");
  CHECK(job["seed"] == 7);
  CHECK(job["suffix"] == "copy-bot");
  CHECK(job["fine_tuned_model"].is_null());

  // Poll the progress while it trains: it only moves forward.
  int64_t last_step = 0;
  for (ft_progress p = workspace.progress(id); p.status < FT_JOB_SUCCEEDED; p = workspace.progress(id)) {
    CHECK(p.step >= last_step);
    last_step = p.step;
    if (p.status == FT_JOB_RUNNING && p.step > 0) {
      CHECK(p.total_steps > 0);
      CHECK(p.epoch >= 1);
      CHECK(p.train_loss > 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(workspace.wait(id) == FT_JOB_SUCCEEDED);

  // The job object.
  const auto done = workspace.get(id).json;
  CHECK(done["status"] == "succeeded");
  CHECK(done["error"].is_null());
  const auto jobs = folder.path() / "ws" / "jobs" / id;
  CHECK(done["fine_tuned_model"] == (jobs / "model").string());
  CHECK(done["trained_tokens"].get<int64_t>() > 0);
  CHECK(done["started_at"].is_number_integer());
  CHECK(done["finished_at"].get<int64_t>() >= done["started_at"].get<int64_t>());
  CHECK(done["estimated_finish"].is_null());
  CHECK(done["result_files"] == nlohmann::json::array({(jobs / "results.csv").string()}));
  CHECK(done["hyperparameters"]["batch_size"].is_number_integer());

  // The hyper-parameters it ran with, the same as hyperparameters.json.
  const auto hyper = workspace.hyperparameters(id);
  REQUIRE(hyper.ok());
  CHECK(hyper.json["job_id"] == id);
  CHECK(hyper.json["hyperparameters"]["n_epochs"]["source"] == "user");
  CHECK(hyper.json == nlohmann::json::parse(read_text(jobs / "hyperparameters.json")));
  const int64_t total_steps = hyper.json["hyperparameters"]["total_steps"]["value"];
  CHECK(done["metrics"]["step"] == total_steps);
  CHECK(done["metrics"]["valid_loss"].is_number());

  // The files of the workspace layout.
  for (const char* name : {"job.json", "request.json", "hyperparameters.json", "events.jsonl", "results.csv",
                           "model/config.json", "model/model.safetensors", "model/tokenizer.model",
                           "checkpoints/epoch-0002/state.json"}) {
    INFO(name);
    CHECK(fs::exists(jobs / name));
  }
  CHECK(nlohmann::json::parse(read_text(jobs / "job.json"))["status"] == "succeeded");
  CHECK(count_lines(jobs / "results.csv") == static_cast<size_t>(total_steps) + 1);
  CHECK(read_text(jobs / "results.csv").rfind("step,elapsed_tokens,elapsed_examples,train_loss,", 0) == 0);

  // Events: numbered from 1 without gaps, each step's metrics, every change of status.
  const auto events = workspace.events(id);
  REQUIRE(events.ok());
  const auto& data = events.json["data"];
  CHECK(events.json["has_more"] == false);
  CHECK(count_lines(jobs / "events.jsonl") == data.size());
  int64_t metrics = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    CHECK(data[i]["seq"] == i + 1);
    if (data[i]["type"] == "metrics") ++metrics;
  }
  CHECK(metrics == total_steps);
  CHECK(data[0]["message"].get<std::string>().rfind("Validating training file", 0) == 0);
  CHECK(statuses_announced(data) == std::vector<std::string>{"queued", "running", "succeeded"});
  const auto tail = workspace.events(id, data.size() - 2);
  REQUIRE(tail.json["data"].size() == 2);
  CHECK(tail.json["data"][0] == data[data.size() - 2]);
  CHECK(workspace.events(id, data.size() + 5).json["data"].empty());

  // on_event got every event, in order, on a plugin thread, before ft_job_wait returned.
  {
    std::lock_guard<std::mutex> lock(received.mutex);
    CHECK(received.job_id == id);
    CHECK(nlohmann::json(received.events) == data);
    CHECK(received.threads.count(std::this_thread::get_id()) == 0);
  }

  // The final progress.
  ft_progress p = workspace.progress(id);
  CHECK(p.status == FT_JOB_SUCCEEDED);
  CHECK(p.step == total_steps);
  CHECK(p.total_steps == total_steps);
  CHECK(p.epoch == 2);
  CHECK(p.n_epochs == 2);
  CHECK(p.eta_seconds == 0);
  CHECK(p.elapsed_seconds > 0);

  // Generation with the result, by job id and by folder.
  const auto text = workspace.generate({{"model", id}, {"prompt", "copy: a b c d ="}, {"max_tokens", 8}, {"temperature", 0}});
  REQUIRE(text.error == "");
  CHECK(text.json["text"].is_string());
  CHECK(text.json["tokens"].get<int64_t>() <= 8);
  CHECK((text.json["finish_reason"] == "stop" || text.json["finish_reason"] == "length"));
  const auto again = workspace.generate(
      {{"model", (jobs / "model").string()}, {"prompt", "copy: a b c d ="}, {"max_tokens", 8}, {"temperature", 0}});
  CHECK(again.json == text.json);  // greedy: the same text
  const auto chat = workspace.generate({{"model", id}, {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                        {"max_tokens", 4}, {"seed", 3}});
  CHECK(chat.ok());
}

TEST_CASE("ft_job_progress fills no more than struct_size and never struct_size itself", "[plugin][job][misuse]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  Workspace workspace(folder.path() / "ws");
  const std::string id = workspace.create(copy_request(train, 1)).json["id"];
  workspace.wait(id);

  struct Larger {
    ft_progress progress;
    uint64_t newer_field;
  } larger;
  std::memset(&larger, 0xAB, sizeof larger);
  larger.progress.struct_size = sizeof larger;  // a newer host's bigger struct
  REQUIRE(api().ft_job_progress(workspace.get(), id.c_str(), &larger.progress) == FT_OK);
  CHECK(larger.progress.struct_size == sizeof larger);
  CHECK(larger.progress.status == FT_JOB_SUCCEEDED);
  CHECK(larger.newer_field == 0xABABABABABABABABull);  // beyond what this library knows

  ft_progress small;
  std::memset(&small, 0xCD, sizeof small);
  small.struct_size = FT_PROGRESS_SIZE_1_0 - 1;
  CHECK(api().ft_job_progress(workspace.get(), id.c_str(), &small) == FT_ERR_INVALID_ARGUMENT);
  CHECK(std::string(api().ft_last_error()).find("struct_size") != std::string::npos);
  CHECK(small.step == static_cast<int64_t>(0xCDCDCDCDCDCDCDCDull));  // untouched
  small.struct_size = 0;
  CHECK(api().ft_job_progress(workspace.get(), id.c_str(), &small) == FT_ERR_INVALID_ARGUMENT);
}

TEST_CASE("a job whose training file is malformed fails, naming the file and line", "[plugin][job]") {
  TempFolder folder;
  std::string lines = read_text(write_copy_data(folder, "good.jsonl", 10));
  lines += "{\"prompt\": \"x\", \"completion\": 4}\n";  // line 11: a completion that is not a string
  const auto train = folder.write("bad.jsonl", lines);
  Workspace workspace(folder.path() / "ws");
  const auto created = workspace.create(copy_request(train));
  REQUIRE(created.ok());
  const std::string id = created.json["id"];
  CHECK(workspace.wait(id) == FT_JOB_FAILED);
  const auto job = workspace.get(id).json;
  CHECK(job["error"]["code"] == "invalid_input");
  CHECK(job["error"]["param"] == "training_file");
  CHECK(job["error"]["message"].get<std::string>().find("line 11") != std::string::npos);
  CHECK(job["started_at"].is_null());
  CHECK(job["hyperparameters"]["batch_size"] == "auto");
  const auto hyper = workspace.hyperparameters(id);
  CHECK(hyper.status == FT_ERR_STATE);
  const auto last = workspace.events(id).json["data"].back();
  CHECK(last["level"] == "error");
  CHECK(last["data"]["status"] == "failed");
  // It cannot be cancelled, resumed or generated with.
  CHECK(api().ft_job_cancel(workspace.get(), id.c_str()) == FT_ERR_STATE);
  CHECK(workspace.resume(id).status == FT_ERR_STATE);
  CHECK(workspace.generate({{"model", id}, {"prompt", "x"}}).status == FT_ERR_STATE);
}

TEST_CASE("ft_job_list lists every job, newest first", "[plugin][job]") {
  TempFolder folder;
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  const auto bad = folder.write("bad.jsonl", "not json\n");
  Workspace workspace(folder.path() / "ws");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(workspace.create(copy_request(bad)).json["id"]);
  for (const auto& id : ids) workspace.wait(id);
  const auto list = workspace.list();
  REQUIRE(list.ok());
  REQUIRE(list.json["data"].size() == 3);
  CHECK(list.json["data"][0]["id"] == ids[2]);
  CHECK(list.json["data"][1]["id"] == ids[1]);
  CHECK(list.json["data"][2]["id"] == ids[0]);
  (void)train;
}

TEST_CASE("ft_generate refuses what it cannot use", "[plugin][generate]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  CHECK(workspace.generate({{"model", model_folder()}, {"prompt", "copy:"}, {"max_tokens", 3}, {"seed", 1}}).ok());
  CHECK(workspace.generate({{"model", "ftjob-000000000000000000000000"}, {"prompt", "x"}}).status == FT_ERR_NOT_FOUND);
  CHECK(workspace.generate({{"model", (folder.path() / "nothing").string()}, {"prompt", "x"}}).status == FT_ERR_NOT_FOUND);
  CHECK(workspace.generate({{"model", model_folder()}}).status == FT_ERR_INVALID_ARGUMENT);
  CHECK(workspace.generate({{"model", model_folder()}, {"prompt", "x"}, {"max_tokens", 0}}).status == FT_ERR_INVALID_ARGUMENT);
  CHECK(workspace.generate({{"model", model_folder()}, {"prompt", "x"}, {"top_p", 0}}).status == FT_ERR_INVALID_ARGUMENT);
  CHECK(workspace.generate({{"model", model_folder()}, {"prompt", "x"}, {"temperature", 3}}).status == FT_ERR_INVALID_ARGUMENT);
  CHECK(workspace.generate({{"model", model_folder()}, {"prompt", "x"}, {"stream", true}}).status == FT_ERR_INVALID_ARGUMENT);
}

TEST_CASE("ft_generate keeps its model loaded, and loads again a folder whose files changed", "[plugin][generate]") {
  TempFolder folder;
  Workspace workspace(folder.path() / "ws");
  const auto model = folder.path() / "model";
  fs::copy(model_folder(), model);
  const nlohmann::json request = {{"model", model.string()}, {"prompt", "copy: a b ="}, {"max_tokens", 8}, {"temperature", 0}};
  const auto first = workspace.generate(request);
  REQUIRE(first.ok());
  CHECK(workspace.generate(request).json == first.json);  // the resident model gives the same

  // Another model in the same folder: its files changed, so it is read again, not the old one used.
  fs::remove_all(model);
  fs::copy(std::string(FT_FIXTURES) + "/hf/tiny-gpt2", model);
  const auto other = workspace.generate(request);
  REQUIRE(other.ok());
  CHECK(other.json != first.json);
  // A model that cannot load leaves nothing half-held: the next good request works.
  fs::remove(model / "config.json");
  CHECK_FALSE(workspace.generate(request).ok());
  fs::copy(std::string(FT_FIXTURES) + "/hf/tiny-gpt2/config.json", model / "config.json");
  CHECK(workspace.generate(request).json == other.json);
}
