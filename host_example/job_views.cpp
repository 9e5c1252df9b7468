#include "job_views.h"

#include "table_printer.h"

#include <cstdio>
#include <ctime>

namespace fthost {

using nlohmann::json;

std::string number_text(const json& v, int precision) {
  if (v.is_null()) return "-";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*g", precision + 1, v.get<double>());
    return text;
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string time_text(const json& seconds) {
  if (!seconds.is_number()) return "-";
  const std::time_t t = seconds.get<std::time_t>();
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
  return text;
}

void print_hyperparameter_table(std::ostream& out, const json& hyperparameters) {
  TablePrinter table({"name", "value", "source", "reason"});
  for (const auto& [name, h] : hyperparameters.items()) {
    table.add({name, number_text(h["value"], 5), h.value("source", ""), h.value("reason", "")});
  }
  table.print(out, terminal_width());
}

void print_plan(std::ostream& out, const json& plan) {
  out << "Hyper-parameters (\"auto\": chosen by the plugin, \"user\": set in the request)\n";
  print_hyperparameter_table(out, plan["hyperparameters"]);
  const auto& m = plan["model"];
  out << "\nModel: " << m.value("architecture", "?") << ", " << number_text(m["parameters"]) << " parameters, context "
      << number_text(m["context_length"]) << ", " << (m.value("pretrained", false) ? "pretrained" : "trained from scratch")
      << "; device " << plan.value("device", "?") << "\n";
  for (const char* which : {"training", "validation"}) {
    const auto& d = plan["data"][which];
    if (d.is_null()) continue;
    out << "Data (" << which << "): " << number_text(d["examples"]) << " examples, " << number_text(d["total_tokens"])
        << " tokens (" << number_text(d["prompt_tokens"]) << " prompt, " << number_text(d["completion_tokens"])
        << " completion), tokens per example " << number_text(d["min_tokens"]) << " to " << number_text(d["max_tokens"])
        << ", median " << number_text(d["median_tokens"]) << "\n";
  }
  const auto& e = plan["estimate"];
  out << "Estimate: " << number_text(e["total_steps"]) << " steps, " << number_text(e["total_tokens"]) << " tokens, "
      << number_text(e["memory_bytes"]) << " bytes of memory, "
      << (e["seconds"].is_number() ? number_text(e["seconds"], 3) + " s" : std::string("time unknown")) << "\n";
  for (const auto& w : plan["warnings"]) out << "warning: " << w.get<std::string>() << "\n";
}

void print_trainings(std::ostream& out, const json& list) {
  if (list["data"].empty()) {
    out << "No trainings in this workspace yet.\n";
    return;
  }
  TablePrinter table({"id", "model", "status", "created", "trained tokens", "train loss", "valid loss"});
  for (const auto& job : list["data"]) {
    const json& metrics = job["metrics"];
    std::string model = job.value("model", "");
    if (auto slash = model.find_last_of('/'); slash != std::string::npos) model = model.substr(slash + 1);
    if (job["suffix"].is_string()) model += " (" + job["suffix"].get<std::string>() + ")";
    table.add({job.value("id", ""), model, job.value("status", ""), time_text(job["created_at"]), number_text(job["trained_tokens"]),
               metrics.is_object() ? number_text(metrics["train_loss"]) : "-",
               metrics.is_object() ? number_text(metrics["valid_loss"]) : "-"});
  }
  table.print(out, 1000);
}

void print_job(std::ostream& out, const json& job) {
  auto row = [&](const char* name, const std::string& value) { out << "  " << name << std::string(18 - std::string(name).size(), ' ') << value << "\n"; };
  out << "Job " << job.value("id", "") << "\n";
  row("status", job.value("status", ""));
  row("model", job.value("model", ""));
  row("training file", job.value("training_file", ""));
  row("validation file", job["validation_file"].is_string() ? job["validation_file"].get<std::string>() : "-");
  row("created", time_text(job["created_at"]));
  row("started", time_text(job["started_at"]));
  row("finished", time_text(job["finished_at"]));
  row("trained tokens", number_text(job["trained_tokens"]));
  row("seed", number_text(job["seed"]));
  row("suffix", number_text(job["suffix"]));
  std::string hyper;
  for (const auto& [k, v] : job["hyperparameters"].items()) hyper += (hyper.empty() ? "" : ", ") + k + "=" + number_text(v);
  row("hyper-parameters", hyper);
  if (job["metrics"].is_object()) {
    const auto& m = job["metrics"];
    row("latest metrics", "step " + number_text(m["step"]) + ", train loss " + number_text(m["train_loss"]) + ", valid loss " +
                              number_text(m["valid_loss"]) + ", valid token accuracy " + number_text(m["valid_mean_token_accuracy"]));
  }
  row("fine-tuned model", number_text(job["fine_tuned_model"]));
  if (job["error"].is_object()) row("error", job["error"].value("code", "") + ": " + job["error"].value("message", ""));
}

}  // namespace fthost
