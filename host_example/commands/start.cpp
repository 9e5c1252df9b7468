#include "commands/commands.h"
#include "host_error.h"
#include "job_follower.h"
#include "request_builder.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host start --model M --training-file F [--validation-file V] [--set name=value ...]\n"
    "              [--suffix NAME] [--seed N] [--method auto|full|lora] [--merge] [--detach]\n"
    "\n"
    "Starts a fine-tuning job, prints its id and follows it like `watch` until it ends.\n"
    "The job trains inside the ft-host process that started it. With --detach a background\n"
    "ft-host process runs it and this one returns at once; while it trains, other ft-host\n"
    "commands on the same workspace are refused (the workspace is in use).\n"
    "Exit code: 0 succeeded, 1 failed or cancelled, 2 bad request.\n";

// Runs the job in a child process that outlives this one; returns the job object's text.
std::string start_detached(const Arguments& a, const nlohmann::json& request) {
  int fds[2];
  if (pipe(fds) != 0) throw HostError("cannot create a pipe");
  const pid_t child = fork();
  if (child < 0) throw HostError("cannot fork");
  if (child == 0) {
    close(fds[0]);
    setsid();
    std::string message;
    int code = 0;
    std::unique_ptr<Plugin> plugin;
    std::string id;
    try {
      plugin = open_plugin(a);
      message = plugin->create(request.dump());
      id = nlohmann::json::parse(message)["id"];
    } catch (const HostError& e) {
      message = e.what();
      code = 1;
    }
    const std::string reply = std::to_string(code) + message;
    if (write(fds[1], reply.data(), reply.size()) < 0) _exit(1);
    close(fds[1]);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    if (code == 0) {
      ft_job_status status;
      plugin->wait(id, -1, &status);
    }
    plugin.reset();
    _exit(0);
  }
  close(fds[1]);
  std::string reply;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) reply.append(buffer, size_t(n));
  close(fds[0]);
  if (reply.empty()) throw HostError("the background ft-host process ended without starting the job");
  if (reply[0] != '0') throw HostError(reply.substr(1));
  return reply.substr(1);
}

}  // namespace

int start_command(const Words& words) {
  const auto a = parse_arguments(words, {"--model", "--training-file", "--validation-file", "--seed", "--suffix", "--method"}, {"--detach", "--merge"});
  if (print_help_if_asked(a, help)) return 0;
  const auto request = build_request(a);
  if (a.has("--detach")) {
    const std::string job = start_detached(a, request);
    if (a.json()) {
      std::cout << job << "\n";
    } else {
      const auto id = nlohmann::json::parse(job)["id"].get<std::string>();
      std::cout << "Started " << id << " in the background.\nLater: ft-host show " << id << "\n";
    }
    return 0;
  }
  const auto plugin = open_plugin(a);
  const std::string job = plugin->create(request.dump());
  const auto id = nlohmann::json::parse(job)["id"].get<std::string>();
  if (a.json()) {  // the job object as ft_job_create returned it; no progress line to keep it JSON
    std::cout << job << "\n" << std::flush;
    ft_job_status status = FT_JOB_FAILED;
    plugin->wait(id, -1, &status);
    return status == FT_JOB_SUCCEEDED ? exit_ok : exit_job_failed;
  }
  std::cout << "Started " << id << "\n";
  return follow_job(*plugin, id);
}

}  // namespace fthost
