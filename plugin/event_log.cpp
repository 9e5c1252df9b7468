#include "plugin/event_log.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "plugin/json_text.h"
#include "plugin/workspace.h"

#include <ctime>
#include <sstream>

namespace ft::plugin {

void EventLog::load() {
  if (loaded_) return;
  std::string bytes;
  try {
    bytes = read_file_bytes(file_);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;  // a new job has no log yet
  }
  std::istringstream lines(bytes);
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.value("seq", uint64_t{0}) == lines_.size() + 1) lines_.push_back(line);
  }
  loaded_ = true;
}

Event EventLog::append(const std::string& level, const std::string& type, const std::string& message,
                       const nlohmann::json& data) {
  load();
  const uint64_t seq = lines_.size() + 1;
  const nlohmann::json event = {{"seq", seq},         {"created_at", static_cast<int64_t>(std::time(nullptr))},
                                {"level", level},     {"type", type},
                                {"message", message}, {"data", data}};
  std::string text = dump_json(event);
  append_line(file_, text);
  lines_.push_back(text);
  return {seq, std::move(text)};
}

std::string EventLog::page(uint64_t after_seq, size_t limit) {
  load();
  std::string out = "{\"data\":[";
  const uint64_t first = std::min<uint64_t>(after_seq, lines_.size());
  const uint64_t end = std::min<uint64_t>(lines_.size(), first + limit);
  for (uint64_t i = first; i < end; ++i) {
    if (i > first) out += ',';
    out += lines_[i];  // each line is already one event's JSON text
  }
  out += std::string("],\"has_more\":") + (end < lines_.size() ? "true" : "false") + "}";
  return out;
}

uint64_t EventLog::last_seq() {
  load();
  return lines_.size();
}

std::optional<nlohmann::json> EventLog::last_metrics(const std::string& key) {
  load();
  for (auto line = lines_.rbegin(); line != lines_.rend(); ++line) {
    const auto event = nlohmann::json::parse(*line, nullptr, false);
    if (event.value("type", "") != "metrics" || !event.contains("data")) continue;
    const auto& data = event.at("data");
    if (data.is_object() && data.contains(key)) return data;
  }
  return std::nullopt;
}

}  // namespace ft::plugin
