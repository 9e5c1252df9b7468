// The web app's live updates, as Server-Sent Events (text/event-stream), so that its pages
// follow running jobs without reloading:
//   stream_job_list  "jobs": ft_job_list's document, at once and whenever it changes.
//   stream_job       "event": each event of the job after `after_seq`, its seq as the message
//                    id (a browser that reconnects sends it back as Last-Event-ID and continues
//                    where it stopped); "job": the job object and "progress": ft_job_progress,
//                    whenever they change; then "end" once the job is final and every event is
//                    sent, and the stream closes.
// Both poll the plugin four times a second, send a comment line when idle so that a closed
// browser tab is noticed, and stop when `stopping` is set (the server is shutting down).
#pragma once

#include "plugin_loader.h"

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace fthost {

void stream_job_list(const Plugin& plugin, const std::atomic<bool>& stopping, httplib::Response& response);
void stream_job(const Plugin& plugin, const std::string& job_id, uint64_t after_seq, const std::atomic<bool>& stopping,
                httplib::Response& response);

// One message of an event stream: "event: NAME", "id: ID" when given, and one "data:" line per
// line of `data`.
std::string event_stream_message(const std::string& event, const std::string& data, const std::string& id = "");

}  // namespace fthost
