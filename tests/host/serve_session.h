// `ft-host serve --port 0` started as a subprocess with the plugin under test, for tests that
// speak to it over HTTP: its port and session token are read from the URL it prints.
#pragma once

#include "tests/host/ft_host_runner.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ft::testing {

class ServeSession {
 public:
  // `arguments` follow "serve" (folders, --max-upload, ...); the output goes to `output_file`.
  ServeSession(const std::string& workspace, const std::vector<std::string>& arguments, const std::string& output_file)
      : output_file_(output_file) {
    std::vector<std::string> words = {"serve", "--port", "0"};
    words.insert(words.end(), arguments.begin(), arguments.end());
    pid_ = start_host(words, workspace, output_file);
    const std::regex url(R"(http://127\.0\.0\.1:(\d+)/#token=([0-9a-f]{64}))");
    for (int i = 0; i < 600; ++i) {  // 60 s: loading the plugin (libtorch) takes a few seconds
      std::smatch m;
      const std::string out = output();
      if (std::regex_search(out, m, url)) {
        port_ = std::stoi(m[1]);
        token_ = m[2];
        return;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) throw std::runtime_error("ft-host serve ended: " + out);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("ft-host serve printed no URL: " + output());
  }
  ~ServeSession() { stop(); }
  ServeSession(const ServeSession&) = delete;
  ServeSession& operator=(const ServeSession&) = delete;

  // Sends SIGTERM, as Ctrl-C would, and returns the exit code.
  int stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    exit_code_ = wait_host(pid_);
    pid_ = -1;
    return exit_code_;
  }

  int port() const { return port_; }
  const std::string& token() const { return token_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string output() const {
    std::ifstream in(output_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // A client that presents the token; each test adds what it needs.
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    c.set_default_headers({{"Authorization", "Bearer " + token_}});
    return c;
  }

 private:
  std::string output_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string token_;
  int exit_code_ = -1;
};

}  // namespace ft::testing
