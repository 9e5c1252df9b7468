#include "serve/job_streams.h"

#include "serve/progress_document.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <thread>

namespace fthost {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto poll_interval = std::chrono::milliseconds(250);
constexpr auto idle_comment_interval = std::chrono::seconds(5);

// What one stream has sent, so that only changes are sent again.
struct StreamState {
  std::string job, progress, list;
  uint64_t after_seq = 0;
  Clock::time_point last_write = Clock::now();
};

// Writes `text` if there is any, else a comment when the stream has been idle for a while, else
// waits for the next poll. False when the browser has gone.
bool send_or_wait(httplib::DataSink& sink, StreamState& state, const std::string& text) {
  if (!text.empty()) {
    state.last_write = Clock::now();
    return sink.write(text.data(), text.size());
  }
  if (Clock::now() - state.last_write > idle_comment_interval) {
    state.last_write = Clock::now();
    static const std::string comment = ": idle\n\n";
    return sink.write(comment.data(), comment.size());
  }
  std::this_thread::sleep_for(poll_interval);
  return true;
}

bool is_final(ft_job_status status) {
  return status == FT_JOB_SUCCEEDED || status == FT_JOB_FAILED || status == FT_JOB_CANCELLED;
}

// The job's news since the last call: new events, then the job object and progress if changed.
// Sets `ended` when a call that found the job final finds no new event: every event is sent.
std::string job_news(const Plugin& plugin, const std::string& id, StreamState& state, bool& ended) {
  const ft_progress progress = plugin.progress(id);  // before the events: none is missed after the final status
  std::string text;
  const auto page = nlohmann::json::parse(plugin.events(id, state.after_seq));
  for (const auto& event : page["data"]) {
    state.after_seq = event["seq"].get<uint64_t>();
    text += event_stream_message("event", event.dump(), std::to_string(state.after_seq));
  }
  const std::string job = nlohmann::json::parse(plugin.get(id)).dump();
  if (job != state.job) text += event_stream_message("job", state.job = job);
  const std::string snapshot = progress_document(plugin, progress).dump();
  if (snapshot != state.progress) text += event_stream_message("progress", state.progress = snapshot);
  ended = is_final(progress.status) && page["data"].empty();
  if (ended) text += event_stream_message("end", "{}");
  return text;
}

}  // namespace

std::string event_stream_message(const std::string& event, const std::string& data, const std::string& id) {
  std::string message = "event: " + event + "\n";
  if (!id.empty()) message += "id: " + id + "\n";
  size_t start = 0;
  for (size_t end; (end = data.find('\n', start)) != std::string::npos; start = end + 1) {
    message += "data: " + data.substr(start, end - start) + "\n";
  }
  return message + "data: " + data.substr(start) + "\n\n";
}

void stream_job_list(const Plugin& plugin, const std::atomic<bool>& stopping, httplib::Response& response) {
  auto state = std::make_shared<StreamState>();
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider("text/event-stream", [&plugin, &stopping, state](size_t, httplib::DataSink& sink) {
    if (stopping) return false;
    std::string text;
    try {
      const std::string list = nlohmann::json::parse(plugin.list()).dump();
      if (list != state->list) text = event_stream_message("jobs", state->list = list);
    } catch (const std::exception&) {
      return false;  // the workspace became unreadable: the stream ends, and the browser retries
    }
    return send_or_wait(sink, *state, text);
  });
}

void stream_job(const Plugin& plugin, const std::string& job_id, uint64_t after_seq, const std::atomic<bool>& stopping,
                httplib::Response& response) {
  auto state = std::make_shared<StreamState>();
  state->after_seq = after_seq;
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "text/event-stream", [&plugin, &stopping, state, job_id](size_t, httplib::DataSink& sink) {
        if (stopping) return false;
        bool ended = false;
        std::string text;
        try {
          text = job_news(plugin, job_id, *state, ended);
        } catch (const std::exception&) {
          return false;
        }
        if (!send_or_wait(sink, *state, text)) return false;
        if (ended) sink.done();
        return true;
      });
}

}  // namespace fthost
