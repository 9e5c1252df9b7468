#include "serve/web_server.h"

#include "host_error.h"
#include "serve/api_error.h"
#include "serve/api_routes.h"
#include "serve/request_guard.h"
#include "serve/session_token.h"
#include "serve/web_assets.h"

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

extern char** environ;

namespace fthost {

namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

volatile std::sig_atomic_t stop_requested = 0;
void on_stop_signal(int) { stop_requested = 1; }

// Scripts, styles and connections only from this server: no page element can load or send
// anything elsewhere, and no other site may frame the app.
const char* content_security_policy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

void add_security_headers(const Request& request, Response& response) {
  response.set_header("Content-Security-Policy", content_security_policy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cross-Origin-Resource-Policy", "same-origin");
  if (!response.has_header("Cache-Control")) response.set_header("Cache-Control", is_api_path(request.path) ? "no-store" : "no-cache");
}

void add_asset_route(httplib::Server& server) {
  server.Get(".*", [](const Request& request, Response& response) {
    const WebAsset* asset = find_web_asset(request.path);
    if (!asset) {
      response.status = 404;
      response.set_content("Not found: " + request.path + "\n", "text/plain; charset=utf-8");
      return;
    }
    response.set_content(reinterpret_cast<const char*>(asset->data), asset->size, content_type_of(asset->path));
  });
}

// The Host headers a browser sends to reach this server; empty (any) for a wildcard address.
std::vector<std::string> accepted_hosts(const std::string& host, int port) {
  if (host == "0.0.0.0" || host == "::") return {};
  const std::string suffix = ":" + std::to_string(port);
  std::vector<std::string> hosts = {(host.find(':') != std::string::npos ? "[" + host + "]" : host) + suffix};
  if (host == "127.0.0.1" || host == "localhost" || host == "::1") {
    for (const char* name : {"127.0.0.1", "localhost", "[::1]"}) hosts.push_back(name + suffix);
  }
  return hosts;
}

std::string url_host(const std::string& host) {
  if (host == "0.0.0.0" || host == "::") return "127.0.0.1";
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int bind(httplib::Server& server, const ServeOptions& options) {
  const int port = options.port == 0 ? server.bind_to_any_port(options.host)
                                     : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    throw HostError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                    " (is the port in use? --port 0 picks a free one)");
  }
  return port;
}

void open_in_browser(const std::string& url) {
  pid_t pid = 0;
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) {
    std::cout << "(cannot run xdg-open: open the URL above yourself)\n";
    return;
  }
  std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
}

// SO_REUSEADDR, so that a restarted server gets its port back at once, but not httplib's default
// SO_REUSEPORT, with which a second server would share a port in use instead of being refused.
void reuse_address_only(socket_t socket) {
  int yes = 1;
  setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

void configure(httplib::Server& server, ServeContext& context, const ServeOptions& options) {
  server.set_socket_options(reuse_address_only);
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };  // each open page holds one for its stream
  server.set_payload_max_length(options.max_upload_bytes);
  server.set_exception_handler([](const Request&, Response& response, std::exception_ptr error) { send_error(response, error); });
  // httplib answers a body over the limit with an empty 413 before any route: say why, as JSON.
  server.set_error_handler(httplib::Server::HandlerWithResponse([limit = options.max_upload_bytes](const Request& request, Response& response) {
    if (response.status != 413 || !is_api_path(request.path)) return HandlerResponse::Unhandled;
    send_error(response, std::make_exception_ptr(ApiError(413, "too_large", "the request body is larger than the limit of " +
                                                                               std::to_string(limit) + " bytes (ft-host serve --max-upload MB)")));
    return HandlerResponse::Handled;
  }));
  server.set_post_routing_handler(add_security_headers);
  add_api_routes(server, context);
  add_asset_route(server);
}

void print_banner(const std::string& url, const ServeContext& context) {
  std::cout << "ft-host serve: the web app of the workspace " << context.workspace << " is at\n\n  " << url << "\n\n"
            << "The URL carries this session's token; keep it to yourself. Models and data files may come from:\n";
  for (const auto& folder : context.folders.folders()) std::cout << "  " << folder.string() << "\n";
  std::cout << "Uploads go to " << context.uploads.folder().string() << ".\n"
            << "Jobs train inside this process: Ctrl-C stops the server and cancels running jobs (resume them later).\n"
            << std::flush;
}

// The jobs that are not final: ft_close is about to cancel them.
std::vector<std::string> unfinished_jobs(const Plugin& plugin) {
  std::vector<std::string> ids;
  const auto list = nlohmann::json::parse(plugin.list());
  for (const auto& job : list["data"]) {
    const std::string status = job.value("status", "");
    if (status != "succeeded" && status != "failed" && status != "cancelled") ids.push_back(job.value("id", ""));
  }
  return ids;
}

// Listens until SIGINT or SIGTERM; then the streams and long polls end and the server stops.
void serve_until_stopped(httplib::Server& server, ServeContext& context) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed browser tab is a failed write, not the end of the process
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::atomic<bool> listening{true};
  std::thread stopper([&] {
    while (!stop_requested && listening) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    context.stopping = true;
    // Until it has stopped: a signal that comes before listening has begun stops nothing yet.
    while (listening) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  server.listen_after_bind();
  listening = false;
  stopper.join();
}

void say_goodbye(const std::vector<std::string>& unfinished) {
  std::cout << "\nft-host serve: stopped.";
  if (!unfinished.empty()) {
    std::cout << " Cancelling " << unfinished.size()
              << " unfinished job(s); resume them later (ft-host resume JOB, or Resume in the web app):";
    for (const auto& id : unfinished) std::cout << " " << id;
  }
  std::cout << "\n";
}

}  // namespace

int serve_web_app(const Plugin& plugin, const std::string& workspace, const ServeOptions& options) {
  std::vector<std::filesystem::path> folders = {workspace};
  folders.insert(folders.end(), options.folders.begin(), options.folders.end());
  ServeContext context{plugin, workspace, AllowedFolders(folders),
                       UploadStore(std::filesystem::path(workspace) / "uploads", options.max_upload_bytes)};
  httplib::Server server;
  configure(server, context, options);
  const int port = bind(server, options);
  const RequestGuard guard(new_session_token(), accepted_hosts(options.host, port));
  server.set_pre_routing_handler([&guard](const Request& request, Response& response) {
    try {
      guard.check(request);
      return HandlerResponse::Unhandled;
    } catch (...) {
      send_error(response, std::current_exception());  // the post-routing handler adds the headers
      return HandlerResponse::Handled;
    }
  });
  const std::string url = "http://" + url_host(options.host) + ":" + std::to_string(port) + "/#token=" + guard.token();
  print_banner(url, context);
  if (options.open_browser) open_in_browser(url);

  serve_until_stopped(server, context);
  say_goodbye(unfinished_jobs(plugin));
  return exit_ok;
}

}  // namespace fthost
