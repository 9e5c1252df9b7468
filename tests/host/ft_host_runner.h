// Runs ft-host as a subprocess, as a user would, with the plugin under test and a workspace.
#pragma once

#include <array>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace ft::testing {

struct HostRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `prefix ft-host ARG0 --plugin P --workspace W ARGS... </dev/null 2>&1` (a --plugin or
// --workspace among the args wins, being later).
inline HostRun run_host(const std::vector<std::string>& args, const std::string& workspace, const std::string& prefix = "") {
  std::string command = prefix + shell_quote(FT_HOST_PATH);
  if (!args.empty()) command += " " + shell_quote(args[0]);
  if (!args.empty() && args[0] != "--help") command += " --plugin " + shell_quote(FT_PLUGIN_PATH);
  if (!workspace.empty()) command += " --workspace " + shell_quote(workspace);
  for (size_t i = 1; i < args.size(); ++i) command += " " + shell_quote(args[i]);
  command += " </dev/null 2>&1";
  HostRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return run;
}

// Starts `ft-host ARG0 --plugin P --workspace W ARGS...` in the background with its output going to
// `output_file` and stdin from /dev/null; returns its process id.
inline pid_t start_host(const std::vector<std::string>& args, const std::string& workspace, const std::string& output_file) {
  std::vector<std::string> words = {FT_HOST_PATH, args.at(0), "--plugin", FT_PLUGIN_PATH, "--workspace", workspace};
  words.insert(words.end(), args.begin() + 1, args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0), dup2(out, 1), dup2(out, 2);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for a process started by start_host; its exit code.
inline int wait_host(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace ft::testing
