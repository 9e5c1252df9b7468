#include "commands/commands.h"
#include "copy_task.h"
#include "host_error.h"
#include "job_follower.h"
#include "job_views.h"
#include "metrics_series.h"
#include "svg_chart.h"
#include "table_printer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fthost {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* help =
    "ft-host demo [--workspace DIR]\n"
    "\n"
    "A complete run in about a minute or two on a laptop CPU: makes a toy data set (copy a random\n"
    "sequence of letters; held-out sequences are never trained on), plans a run of the tiny-llama\n"
    "architecture from scratch with every hyper-parameter \"auto\", trains it with a live progress\n"
    "line, shows the Trainings list and the Hyper-parameters panel, and compares held-out\n"
    "completions before and after training. The data goes to DIR/demo-data, the job to DIR/jobs.\n";

void heading(const std::string& text) {
  const bool bold = stdout_is_terminal();
  std::cout << "\n" << (bold ? "\033[1m" : "") << "== " << text << (bold ? "\033[0m" : "") << "\n" << std::flush;
}

// How to call this ft-host from the current folder: a relative path when it is below it.
std::string this_program() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return "ft-host";
  const fs::path relative = exe.lexically_relative(fs::current_path(error));
  return !relative.empty() && *relative.begin() != ".." ? relative.string() : exe.string();
}

// A string quoted as JSON, control characters escaped and invalid UTF-8 replaced: an untrained
// model's output can be any bytes.
std::string quoted(const std::string& s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

struct Score {
  int correct = 0;
  std::vector<std::string> shown;
};

Score evaluate(const Plugin& plugin, const std::string& model, const std::vector<CopyExample>& examples, int show) {
  Score score;
  for (size_t i = 0; i < examples.size(); ++i) {
    const json request = {{"model", model}, {"prompt", examples[i].prompt}, {"max_tokens", 12}, {"temperature", 0}};
    const std::string text = json::parse(plugin.generate(request.dump())).value("text", "");
    const bool right = trimmed(text) == trimmed(examples[i].completion);
    score.correct += right;
    if (int(i) < show) score.shown.push_back(quoted(text) + (right ? "  \u2714" : "  \u2718"));
  }
  return score;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void print_loss_chart(std::ostream& out, const MetricsSeries& series);

int demo_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const auto start = std::chrono::steady_clock::now();
  const std::string workspace = fs::absolute(workspace_folder(a)).lexically_normal().string();
  const fs::path data = fs::path(workspace) / "demo-data";
  fs::create_directories(data);
  const auto plugin = open_plugin(a);
  std::cout << "finetune demo: " << plugin->api().ft_version() << "\n";

  heading("1. The task, the data and the model");
  const CopyTask task = make_copy_task(384, 32, 64, 2024);
  write_jsonl((data / "train.jsonl").string(), task.training);
  write_jsonl((data / "valid.jsonl").string(), task.validation);
  write_jsonl((data / "held_out.jsonl").string(), task.held_out);
  std::cout << "Task: copy a sequence of 4 random letters from a-h. An example:\n"
            << "  prompt " << quoted(task.training[0].prompt) << "  ->  completion " << quoted(task.training[0].completion)
            << "\n"
            << "Data: " << task.training.size() << " training examples (" << (data / "train.jsonl").string() << "), "
            << task.validation.size() << " validation examples, and " << task.held_out.size()
            << " held-out prompts that appear in neither:\n"
            << "      the model can only get them right by learning to copy, not by memorising.\n"
            << "Model: \"tiny-llama\", a Llama-architecture preset (2 layers, hidden size 64, 4 heads) trained from\n"
            << "       random weights, with a SentencePiece tokenizer trained on the training file.\n";

  const json request = {{"model", "tiny-llama"}, {"training_file", (data / "train.jsonl").string()},
                        {"validation_file", (data / "valid.jsonl").string()}, {"seed", 7},
                        {"hyperparameters", {{"n_epochs", "auto"}, {"batch_size", "auto"},
                                             {"learning_rate_multiplier", "auto"}, {"prompt_loss_weight", "auto"}}}};

  heading("2. The plan: every hyper-parameter \"auto\", chosen by the plugin with its reason");
  print_plan(std::cout, json::parse(plugin->plan(request.dump())));

  heading("3. Before training: the untrained model on held-out prompts");
  std::cout << "(The ABI generates from a job's model or a checkpoint folder, not from a preset, so this is a\n"
               " one-epoch run at learning-rate multiplier 1e-9: the same architecture with its random initial\n"
               " weights.)\n";
  json untrained = request;
  untrained["hyperparameters"] = {{"n_epochs", 1}, {"batch_size", 128}, {"learning_rate_multiplier", 1e-9}};
  untrained["suffix"] = "untrained";
  const std::string untrained_id = json::parse(plugin->create(untrained.dump()))["id"];
  ft_job_status status = FT_JOB_FAILED;
  plugin->wait(untrained_id, -1, &status);
  if (status != FT_JOB_SUCCEEDED) throw HostError("the untrained baseline run did not succeed", exit_job_failed);
  const Score before = evaluate(*plugin, untrained_id, task.held_out, 5);

  heading("4. Training, with the live progress line");
  json trained = request;
  trained["suffix"] = "copy-demo";
  const auto train_start = std::chrono::steady_clock::now();
  const std::string id = json::parse(plugin->create(trained.dump()))["id"];
  std::cout << "Started " << id << "\n";
  if (follow_job(*plugin, id) != exit_ok) return exit_job_failed;
  const double train_seconds = seconds_since(train_start);

  heading("5. The Trainings list");
  print_trainings(std::cout, json::parse(plugin->list()));
  heading("6. The Hyper-parameters panel of the run");
  print_hyperparameter_table(std::cout, json::parse(plugin->hyperparameters(id))["hyperparameters"]);
  std::cout << "\n";
  const auto series = metrics_series(plugin->all_events(id));
  print_loss_chart(std::cout, series);
  const std::string svg = (fs::path(workspace) / "demo-loss.svg").string();
  std::ofstream(svg) << svg_chart(series, "ft-host demo: tiny-llama on the copy task (" + id + ")");

  heading("7. Held-out prompts, before and after training (greedy, temperature 0)");
  const Score after = evaluate(*plugin, id, task.held_out, 5);
  for (size_t i = 0; i < before.shown.size(); ++i) {
    std::cout << "  " << quoted(task.held_out[i].prompt) << "\n      before: " << before.shown[i]
              << "\n      after:  " << after.shown[i] << "\n";
  }
  const double n = double(task.held_out.size());
  char line[256];
  std::snprintf(line, sizeof line, "Held-out exact match: %d/%d (%.0f%%) before, %d/%d (%.0f%%) after training.\n",
                before.correct, int(n), 100 * before.correct / n, after.correct, int(n), 100 * after.correct / n);
  std::cout << line;

  heading("8. Where things are, and how to do the same with your own model and data");
  const json job = json::parse(plugin->get(id));
  std::cout << "The job's files:     " << workspace << "/jobs/" << id << "/  (job.json, hyperparameters.json,\n"
            << "                     events.jsonl, results.csv, checkpoints/)\n"
            << "The fine-tuned model: " << job.value("fine_tuned_model", "") << "  (a Hugging Face folder)\n"
            << "Loss chart (SVG):     " << svg << "\n"
            << "Try it:   " << this_program() << " generate --workspace " << workspace << " --model " << id
            << " --prompt \"copy: a b c d =\"\n"
            << "          " << this_program() << " show " << id << " --workspace " << workspace << "\n"
            << "Your own: " << this_program() << " start --model /path/to/hf-checkpoint --training-file my.jsonl\n"
            << "          (plan first with `ft-host plan` and the same options; see README.md and docs/ft-host.md)\n";
  std::snprintf(line, sizeof line, "\nDemo finished in %.0f s (training %.0f s); held-out accuracy %.0f%%.\n",
                seconds_since(start), train_seconds, 100 * after.correct / n);
  std::cout << line;
  return after.correct >= 0.9 * n ? exit_ok : exit_job_failed;
}

}  // namespace fthost
