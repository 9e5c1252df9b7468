// ft-host serve: the web app and its JSON API over an open plugin, on one HTTP server
// (cpp-httplib) that listens on loopback unless told otherwise, guards every request
// (request_guard.h), and runs until SIGINT or SIGTERM.
#pragma once

#include "plugin_loader.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace fthost {

struct ServeOptions {
  std::string host = "127.0.0.1";                     // the address to listen on
  int port = 8765;                                    // 0: any free port
  bool open_browser = false;                          // run xdg-open on the URL
  size_t max_upload_bytes = size_t(64) << 20;         // the largest request body
  std::vector<std::filesystem::path> folders;         // that requests may name, besides the workspace
};

// Serves until SIGINT or SIGTERM, then returns the exit code. Prints the URL (with the session
// token) on stdout first. Throws HostError when it cannot listen.
int serve_web_app(const Plugin& plugin, const std::string& workspace, const ServeOptions& options);

}  // namespace fthost
