#include "job_follower.h"

#include "host_error.h"
#include "progress_line.h"
#include "table_printer.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

namespace fthost {

namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

// Prints the learning-rate probe's trials recorded after event `seen` (each a line above the
// progress line, which stands at step 0 while they run) and moves `seen` on. False once the first
// step's metrics are in: the probe, if any, is over.
bool print_probe_trials(const Plugin& plugin, const std::string& job_id, uint64_t& seen, ProgressLine& line) {
  const auto page = nlohmann::json::parse(plugin.events(job_id, seen));
  for (const auto& event : page["data"]) {
    seen = event["seq"].get<uint64_t>();
    if (event["type"] == "metrics") return false;
    if (event["type"] != "learning_rate_trial") continue;
    line.finish();
    std::cout << event["message"].get<std::string>() << "\n";
  }
  return true;
}

}  // namespace

int follow_job(const Plugin& plugin, const std::string& job_id) {
  const ft_api& api = plugin.api();
  ProgressLine line(stdout_is_terminal());
  struct sigaction action {}, previous{};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  interrupted = 0;
  ft_job_status status = FT_JOB_VALIDATING_FILES;
  bool final = false;
  uint64_t seen = 0;
  bool before_first_step = true;
  while (!final) {
    final = plugin.wait(job_id, 200, &status);
    const ft_progress p = plugin.progress(job_id);
    if (before_first_step) before_first_step = print_probe_trials(plugin, job_id, seen, line);
    line.update(p, api.ft_job_status_name(p.status));
    if (interrupted && !final) {
      interrupted = 0;
      line.finish();
      std::string answer = "w";
      if (isatty(STDIN_FILENO)) {
        std::cout << "Cancel the job (c) or stop watching (w)? [c/w] " << std::flush;
        std::getline(std::cin, answer);
      }
      if (!answer.empty() && (answer[0] == 'c' || answer[0] == 'C')) {
        plugin.cancel(job_id);
        std::cout << "Cancelling " << job_id << " (it stops within about one step)...\n";
      } else {
        sigaction(SIGINT, &previous, nullptr);
        std::cout << "Stopped watching " << job_id
                  << ". The job trains inside this ft-host process, so it is cancelled when ft-host exits;\n"
                     "continue it later with: ft-host resume "
                  << job_id << "\n";
        return exit_ok;
      }
    }
  }
  sigaction(SIGINT, &previous, nullptr);
  line.finish();
  const auto job = nlohmann::json::parse(plugin.get(job_id));
  std::cout << "Job " << job_id << " " << api.ft_job_status_name(status);
  if (status == FT_JOB_SUCCEEDED) std::cout << ": model in " << job.value("fine_tuned_model", "");
  if (job["error"].is_object()) std::cout << ": " << job["error"].value("message", "");
  std::cout << "\n";
  return status == FT_JOB_SUCCEEDED ? exit_ok : exit_job_failed;
}

}  // namespace fthost
