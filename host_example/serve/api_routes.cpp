#include "serve/api_routes.h"

#include "metrics_series.h"
#include "serve/api_error.h"
#include "serve/job_streams.h"
#include "serve/progress_document.h"
#include "svg_chart.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>

namespace fthost {

namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr int64_t longest_wait_ms = 30000;  // a long poll ends within this; the page polls again

// A route whose answer is a JSON document; every exception becomes the error body.
httplib::Server::Handler json_route(std::function<std::string(const Request&)> answer) {
  return [answer](const Request& request, Response& response) {
    try {
      response.set_content(answer(request), "application/json");
    } catch (...) {
      send_error(response, std::current_exception());
    }
  };
}

json body_json(const Request& request) {
  if (request.body.empty()) throw ApiError(400, "invalid_argument", "the request has no body; send a JSON object");
  return json::parse(request.body);
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// A non-negative integer query parameter, or `fallback` when absent.
uint64_t integer_param(const Request& request, const std::string& name, uint64_t fallback) {
  if (!request.has_param(name.c_str())) return fallback;
  const std::string text = request.get_param_value(name.c_str());
  if (!all_digits(text)) {
    throw ApiError(400, "invalid_argument", name + " must be a non-negative integer, found \"" + text + "\"", name);
  }
  return std::stoull(text);
}

// Where an event stream starts: after the seq of ?after= or, when the browser reconnects, of
// Last-Event-ID, whichever is later.
uint64_t stream_start(const Request& request) {
  uint64_t after = integer_param(request, "after", 0);
  const std::string last = request.get_header_value("Last-Event-ID");
  if (all_digits(last)) after = std::max<uint64_t>(after, std::stoull(last));
  return after;
}

std::string job_id(const Request& request) { return request.matches[1]; }

json session_document(const ServeContext& c) {
  json folders = json::array();
  for (const auto& folder : c.folders.folders()) folders.push_back(folder.string());
  return {{"version", c.plugin.api().ft_version()},
          {"abi_version", c.plugin.api().ft_abi_version()},
          {"workspace", c.workspace},
          {"folders", folders},
          {"uploads", c.uploads.folder().string()},
          {"max_upload_bytes", c.uploads.max_bytes()}};
}

// ft_job_wait, in slices so that a shutting-down server does not wait for it.
json wait_document(const ServeContext& c, const std::string& id, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::min(timeout_ms, longest_wait_ms));
  ft_job_status status = FT_JOB_FAILED;
  bool final = false;
  do {
    final = c.plugin.wait(id, 250, &status);
  } while (!final && !c.stopping && std::chrono::steady_clock::now() < deadline);
  if (!final) status = c.plugin.progress(id).status;
  return {{"final", final}, {"status", c.plugin.api().ft_job_status_name(status)}};
}

void add_job_routes(httplib::Server& s, ServeContext& c) {
  const Plugin& p = c.plugin;
  const std::string job = R"(/api/jobs/([^/]+))";
  s.Get(job, json_route([&p](const Request& q) { return p.get(job_id(q)); }));
  s.Get(job + "/hyperparameters", json_route([&p](const Request& q) { return p.hyperparameters(job_id(q)); }));
  s.Get(job + "/events", json_route([&p](const Request& q) { return p.events(job_id(q), integer_param(q, "after", 0)); }));
  s.Get(job + "/progress", json_route([&p](const Request& q) { return progress_document(p, p.progress(job_id(q))).dump(); }));
  s.Post(job + "/cancel", json_route([&p](const Request& q) {
    p.cancel(job_id(q));
    return p.get(job_id(q));
  }));
  s.Post(job + "/resume", json_route([&p](const Request& q) { return p.resume(job_id(q)); }));
  s.Post(job + "/wait", json_route([&c](const Request& q) {
    return wait_document(c, job_id(q), int64_t(integer_param(q, "timeout_ms", longest_wait_ms))).dump();
  }));
  s.Get(job + "/chart.svg", [&p](const Request& q, Response& r) {
    try {
      r.set_content(svg_chart(metrics_series(p.all_events(job_id(q))), "Fine-tuning " + job_id(q)), "image/svg+xml");
    } catch (...) {
      send_error(r, std::current_exception());
    }
  });
  s.Get(job + "/stream", [&c](const Request& q, Response& r) {
    try {
      c.plugin.get(job_id(q));  // an unknown id is answered now, as JSON, not as an empty stream
      stream_job(c.plugin, job_id(q), stream_start(q), c.stopping, r);
    } catch (...) {
      send_error(r, std::current_exception());
    }
  });
}

}  // namespace

void add_api_routes(httplib::Server& s, ServeContext& c) {
  const Plugin& p = c.plugin;
  s.Get("/api/session", json_route([&c](const Request&) { return session_document(c).dump(); }));
  s.Post("/api/plan", json_route([&c](const Request& q) { return c.plugin.plan(c.folders.confine_training_request(body_json(q)).dump()); }));
  s.Post("/api/jobs", json_route([&c](const Request& q) { return c.plugin.create(c.folders.confine_training_request(body_json(q)).dump()); }));
  s.Get("/api/jobs", json_route([&p](const Request&) { return p.list(); }));
  s.Get("/api/jobs/stream", [&c](const Request&, Response& r) { stream_job_list(c.plugin, c.stopping, r); });
  add_job_routes(s, c);
  s.Post("/api/generate", json_route([&c](const Request& q) { return c.plugin.generate(c.folders.confine_generate_request(body_json(q)).dump()); }));
  s.Post("/api/uploads", json_route([&c](const Request& q) {
    return json{{"path", c.uploads.save(q.get_param_value("name"), q.body).string()}}.dump();
  }));
  const auto no_route = [](const Request& q, Response& r) {
    send_error(r, std::make_exception_ptr(ApiError(404, "not_found", "no API route " + q.method + " " + q.path)));
  };
  s.Get("/api/.*", no_route);
  s.Post("/api/.*", no_route);
}

}  // namespace fthost
