// ft-host driven as a subprocess: every command, its output and exit code, and bad input.
#include "tests/catch.h"
#include "tests/copy_data.h"
#include "tests/host/ft_host_runner.h"
#include "tests/temp_folder.h"

#include <dlfcn.h>
#include <finetune/finetune.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

using ft::testing::run_host;
using ft::testing::TempFolder;
using ft::testing::write_copy_data;
using nlohmann::json;

namespace {

const std::string kModel = std::string(FT_FIXTURES) + "/hf/tiny-llama";

bool one_line(const std::string& s) {
  const auto first = s.find('\n');
  return first == s.size() - 1;
}

std::string job_id_of(const std::string& out) {
  const auto at = out.find("ftjob-");
  REQUIRE(at != std::string::npos);
  return out.substr(at, FT_JOB_ID_LENGTH);
}

// ft_plan called directly through the ABI, as ft-host does.
std::string plan_directly(const std::string& workspace, const std::string& request) {
  void* lib = dlopen(FT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(lib);
  auto get_api = reinterpret_cast<ft_get_api_fn>(dlsym(lib, "ft_get_api"));
  const ft_api* api = get_api(FT_ABI_VERSION_MAJOR);
  ft_plugin* plugin = nullptr;
  REQUIRE(api->ft_open(json{{"workspace", workspace}}.dump().c_str(), &plugin) == FT_OK);
  char* out = nullptr;
  REQUIRE(api->ft_plan(plugin, request.c_str(), &out) == FT_OK);
  std::string text(out);
  api->ft_free(out);
  api->ft_close(plugin);
  return text;
}

// What differs from one planning to the next: the measured time, and the free memory quoted in
// two reasons.
json without_timing(json plan) {
  plan["hyperparameters"].erase("estimated_seconds");
  plan["hyperparameters"].erase("threads");                    // chosen by timing
  plan["hyperparameters"].erase("checkpoint_interval_steps");  // derived from the timing
  for (const char* name : {"learning_rate_probe", "learning_rate_probe_trials", "learning_rate_probe_examples",
                           "learning_rate_probe_held_out"}) {
    plan["hyperparameters"].erase(name);  // planned within a time budget
  }
  plan["estimate"].erase("seconds");
  // Their reasons quote the free memory, which changes between two calls.
  for (const char* name : {"method", "micro_batch_size", "estimated_memory_bytes"}) plan["hyperparameters"][name].erase("reason");
  return plan;
}

}  // namespace

TEST_CASE("ft-host refuses bad usage and bad input with one clear line and exit code 2", "[host]") {
  TempFolder folder;
  const std::string ws = (folder / "ws").string();
  const std::string train = write_copy_data(folder, "train.jsonl", 16).string();
  const std::string bad = folder.write("bad.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\"}\n{not json\n").string();

  SECTION("an unknown subcommand") {
    const auto r = run_host({"frobnicate"}, ws);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("unknown command") != std::string::npos);
  }
  SECTION("no subcommand prints the usage") { CHECK(run_host({}, "").exit_code == 2); }
  SECTION("a wrong model path") {
    const auto r = run_host({"plan", "--model", (folder / "no-such-model").string(), "--training-file", train}, ws);
    CHECK(r.exit_code == 2);
    CHECK(one_line(r.out));
    CHECK(r.out.find("no-such-model") != std::string::npos);
  }
  SECTION("a malformed training file") {
    const auto r = run_host({"plan", "--model", kModel, "--training-file", bad}, ws);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("line 2") != std::string::npos);
  }
  SECTION("a missing training file") {
    const auto r = run_host({"start", "--model", kModel, "--training-file", (folder / "none.jsonl").string()}, ws);
    CHECK(r.exit_code == 2);
    CHECK(one_line(r.out));
  }
  SECTION("n_epochs=abc and n_epochs=0") {
    for (const char* value : {"n_epochs=abc", "n_epochs=0"}) {
      INFO(value);
      const auto r = run_host({"plan", "--model", kModel, "--training-file", train, "--set", value}, ws);
      CHECK(r.exit_code == 2);
      CHECK(one_line(r.out));
      CHECK(r.out.find("n_epochs") != std::string::npos);
    }
  }
  SECTION("a --set without =") { CHECK(run_host({"plan", "--model", kModel, "--training-file", train, "--set", "n_epochs"}, ws).exit_code == 2); }
  SECTION("an unknown option") { CHECK(run_host({"list", "--frobnicate"}, ws).exit_code == 2); }
  SECTION("an unknown or malformed job id, for every command that takes one") {
    for (const char* command : {"show", "hyperparameters", "events", "cancel", "resume", "watch"}) {
      INFO(command);
      for (const char* id : {"ftjob-aaaaaaaaaaaaaaaaaaaaaaaa", "../x"}) {
        const auto r = run_host({command, id}, ws);
        CHECK(r.exit_code == 2);
        CHECK(one_line(r.out));
      }
    }
    CHECK(run_host({"generate", "--model", "ftjob-aaaaaaaaaaaaaaaaaaaaaaaa", "--prompt", "x"}, ws).exit_code == 2);
  }
  SECTION("a plugin that cannot be loaded") {
    const auto r = run_host({"list", "--plugin", (folder / "libnothing.so").string()}, ws);
    CHECK(r.exit_code == 2);
    CHECK(one_line(r.out));
    CHECK(r.out.find("libnothing.so") != std::string::npos);
  }
  SECTION("every command has --help") {
    for (const char* command : {"plan", "start", "list", "show", "hyperparameters", "watch", "events", "cancel", "resume",
                                "generate", "plot", "demo"}) {
      INFO(command);
      const auto r = run_host({command, "--help"}, "");
      CHECK(r.exit_code == 0);
      CHECK(r.out.find(std::string("ft-host ") + command) != std::string::npos);
    }
  }
}

TEST_CASE("ft-host plan --json prints what ft_plan returns", "[host]") {
  TempFolder folder;
  const std::string train = write_copy_data(folder, "train.jsonl", 16).string();
  const auto r = run_host({"plan", "--json", "--model", kModel, "--training-file", train, "--seed", "5", "--set", "n_epochs=2"},
                          (folder / "ws").string());
  REQUIRE(r.exit_code == 0);
  const json request = {{"model", kModel}, {"training_file", train}, {"hyperparameters", {{"n_epochs", 2}}}, {"seed", 5}};
  const json direct = json::parse(plan_directly((folder / "ws2").string(), request.dump()));
  const json printed = json::parse(r.out);
  CHECK(without_timing(printed) == without_timing(direct));

  const auto human = run_host({"plan", "--model", kModel, "--training-file", train}, (folder / "ws").string());
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("learning_rate") != std::string::npos);
  CHECK(human.out.find("auto") != std::string::npos);
  CHECK(human.out.find("Estimate") != std::string::npos);
}

TEST_CASE("ft-host trains, lists, shows, explains, plots and generates", "[host]") {
  TempFolder folder;
  const std::string ws = (folder / "ws").string();
  const std::string train = write_copy_data(folder, "train.jsonl", 16).string();
  const std::string valid = write_copy_data(folder, "valid.jsonl", 4, 100).string();

  const auto start = run_host({"start", "--model", kModel, "--training-file", train, "--validation-file", valid, "--set",
                               "n_epochs=1", "--set", "batch_size=4", "--suffix", "host-test", "--seed", "3"},
                              ws);
  INFO(start.out);
  REQUIRE(start.exit_code == 0);
  CHECK(start.out.find("succeeded") != std::string::npos);
  CHECK(start.out.find("step 4/4") != std::string::npos);  // the plain progress lines
  const std::string id = job_id_of(start.out);

  const auto list = run_host({"list"}, ws);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find(id) != std::string::npos);
  CHECK(list.out.find("host-test") != std::string::npos);
  CHECK(json::parse(run_host({"list", "--json"}, ws).out)["data"][0]["id"] == id);

  const auto show = run_host({"show", id}, ws);
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("succeeded") != std::string::npos);
  CHECK(show.out.find("Loss over steps") != std::string::npos);
  CHECK(show.out.find("\u2502") != std::string::npos);  // the chart's axis
  CHECK(json::parse(run_host({"show", id, "--json"}, ws).out)["status"] == "succeeded");

  const auto hyper = run_host({"hyperparameters", id}, ws);
  CHECK(hyper.exit_code == 0);
  CHECK(hyper.out.find("set by the user to 1") != std::string::npos);
  CHECK(hyper.out.find("learning_rate") != std::string::npos);
  CHECK(json::parse(run_host({"hyperparameters", id, "--json"}, ws).out)["hyperparameters"]["n_epochs"]["source"] == "user");

  const auto events = run_host({"events", id}, ws);
  CHECK(events.exit_code == 0);
  CHECK(events.out.find("Fine-tuning succeeded") != std::string::npos);
  CHECK(json::parse(run_host({"events", id, "--json"}, ws).out)["data"].size() > 4);

  const auto generate = run_host({"generate", "--model", id, "--prompt", "copy: a b c d =", "--max-tokens", "4"}, ws);
  CHECK(generate.exit_code == 0);
  const auto generated = json::parse(run_host({"generate", "--model", id, "--prompt", "copy: a b c d =", "--max-tokens", "4", "--json"}, ws).out);
  CHECK(generated["tokens"].get<int>() <= 4);
  CHECK(run_host({"generate", "--model", (folder / "nowhere").string(), "--prompt", "x"}, ws).exit_code == 2);

  const std::string svg = (folder / "loss.svg").string();
  REQUIRE(run_host({"plot", id, "-o", svg}, ws).exit_code == 0);
  std::ifstream in(svg);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* series : {"id=\"train_loss\"", "id=\"valid_loss\"", "id=\"learning_rate\"", "id=\"legend\"", "</svg>"}) {
    CHECK(text.find(series) != std::string::npos);
  }
#ifdef FT_PYTHON
  const std::string check = std::string(FT_PYTHON) +
                            " -c \"import sys, xml.etree.ElementTree as E; t = E.parse(sys.argv[1]); "
                            "ids = {p.get('id') for p in t.iter('{http://www.w3.org/2000/svg}polyline')}; "
                            "sys.exit(0 if {'train_loss', 'valid_loss', 'learning_rate'} <= ids else 1)\" " +
                            ft::testing::shell_quote(svg);
  CHECK(std::system(check.c_str()) == 0);  // well-formed XML with the three series
#endif

  // A finished job cannot be cancelled or resumed.
  CHECK(run_host({"cancel", id}, ws).exit_code == 2);
  CHECK(run_host({"resume", id}, ws).exit_code == 2);
}

TEST_CASE("ft-host start shows the learning-rate probe's trials before the first step", "[host]") {
  TempFolder folder;
  const std::string train = write_copy_data(folder, "train.jsonl", 40).string();
  const auto start = run_host({"start", "--model", kModel, "--training-file", train, "--set", "n_epochs=2", "--seed", "3"},
                              (folder / "ws").string());
  INFO(start.out);
  REQUIRE(start.exit_code == 0);
  const auto trial = start.out.find("Learning-rate probe, trial 1: rate ");
  CHECK(trial != std::string::npos);
  CHECK(start.out.find("Learning-rate probe, trial 3: rate ") != std::string::npos);
  CHECK(start.out.rfind("Learning-rate probe, trial") < start.out.find("100%"));  // before the run's progress ends
  const auto hyper = run_host({"hyperparameters", job_id_of(start.out)}, (folder / "ws").string());
  CHECK(hyper.out.find("measured on this job's data") != std::string::npos);
}

TEST_CASE("ft-host cancels a job on Ctrl-C and resumes it to the end", "[host]") {
  TempFolder folder;
  const std::string ws = (folder / "ws").string();
  const std::string train = write_copy_data(folder, "train.jsonl", 32).string();
  // Ctrl-C (SIGINT) without a terminal stops watching; the job trains in that process, so it
  // ends cancelled when ft-host exits. The signal is sent once the job is running.
  const std::string log = (folder / "start.log").string();
  const pid_t pid = ft::testing::start_host({"start", "--model", kModel, "--training-file", train, "--set", "n_epochs=20", "--set",
                                             "batch_size=1", "--seed", "4"},
                                            ws, log);
  ft::testing::HostRun start;
  for (int i = 0; i < 600 && start.out.find(" running") == std::string::npos; ++i) {
    usleep(50 * 1000);
    std::ifstream in(log);
    start.out.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  kill(pid, SIGINT);
  start.exit_code = ft::testing::wait_host(pid);
  {
    std::ifstream in(log);
    start.out.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  INFO(start.out);
  CHECK(start.exit_code == 0);
  REQUIRE(start.out.find("Stopped watching") != std::string::npos);
  const std::string id = job_id_of(start.out);
  CHECK(json::parse(run_host({"show", id, "--json"}, ws).out)["status"] == "cancelled");

  const auto cancel = run_host({"cancel", id}, ws);  // idempotent on a cancelled job
  CHECK(cancel.exit_code == 0);
  CHECK(cancel.out.find("cancelled") != std::string::npos);

  const auto resume = run_host({"resume", id}, ws);
  INFO(resume.out);
  CHECK(resume.exit_code == 0);
  CHECK(resume.out.find("succeeded") != std::string::npos);
}
