#include "commands/commands.h"
#include "host_error.h"
#include "serve/web_server.h"

#include <filesystem>

namespace fthost {

namespace {

const char* help =
    "ft-host serve [FOLDER ...] [--port N] [--host ADDR] [--open] [--max-upload MB]\n"
    "\n"
    "A web app over the plugin, in your browser: the Trainings tab, each job with its live loss\n"
    "and learning-rate chart, events and Hyper-parameters popup, a New fine-tune page that plans\n"
    "before it starts, and a Playground. Prints its URL, which carries a random session token that\n"
    "every API call needs. Jobs train inside this process: Ctrl-C stops the server and cancels\n"
    "running jobs (resume them later). The JSON API is described in docs/ft-host.md.\n"
    "\n"
    "  FOLDER ...        the folders whose models and data files the app may use (default: the\n"
    "                    current folder); the workspace always, and uploads go to WORKSPACE/uploads\n"
    "  --port N          the port (default 8765; 0 picks a free one)\n"
    "  --host ADDR       the address to listen on (default 127.0.0.1: this machine only). Another\n"
    "                    address opens the app to the network, guarded by the token alone\n"
    "  --open            open the URL in the default browser (xdg-open)\n"
    "  --max-upload MB   the largest upload or request body, in MiB (default 64)\n";

int positive_integer(const Arguments& a, const std::string& name, int fallback, int most) {
  const std::string text = a.option(name);
  if (text.empty()) return fallback;
  size_t used = 0;
  int value = -1;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || value < 0 || value > most) {
    throw HostError(name + " must be an integer from 0 to " + std::to_string(most) + ", found \"" + text + "\"");
  }
  return value;
}

}  // namespace

int serve_command(const Words& words) {
  const auto a = parse_arguments(words, {"--port", "--host", "--max-upload"}, {"--open"});
  if (print_help_if_asked(a, help)) return exit_ok;
  ServeOptions options;
  options.host = a.option("--host", options.host);
  options.port = positive_integer(a, "--port", options.port, 65535);
  options.open_browser = a.has("--open");
  const int upload_mib = positive_integer(a, "--max-upload", int(options.max_upload_bytes >> 20), 1 << 20);
  if (upload_mib == 0) throw HostError("--max-upload must be at least 1 (MiB)");
  options.max_upload_bytes = size_t(upload_mib) << 20;
  for (const auto& folder : a.positional) options.folders.emplace_back(folder);
  if (options.folders.empty()) options.folders.push_back(std::filesystem::current_path());
  const std::string workspace = std::filesystem::absolute(workspace_folder(a)).lexically_normal().string();
  const auto plugin = open_plugin(a);
  return serve_web_app(*plugin, workspace, options);
}

}  // namespace fthost
