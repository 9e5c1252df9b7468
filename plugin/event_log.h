// A job's event log: events.jsonl, one event per line, appended, with sequence numbers 1, 2, 3,
// ... kept across processes and resumes. Read lazily: a job of an earlier process loads its
// file on first use. Not thread-safe: the job's mutex guards it.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ft::plugin {

struct Event {
  uint64_t seq = 0;
  std::string text;  // the event object as JSON, exactly as listed and delivered
};

class EventLog {
 public:
  explicit EventLog(std::filesystem::path file) : file_(std::move(file)) {}

  // Records an event with the next sequence number (written before it is returned).
  // `level`: "info", "warning", "error"; `type`: "message" or "metrics"; `data` may be null.
  Event append(const std::string& level, const std::string& type, const std::string& message,
               const nlohmann::json& data);

  // {"data": [events with seq > after_seq, oldest first, at most `limit`], "has_more": bool}
  std::string page(uint64_t after_seq, size_t limit);

  uint64_t last_seq();
  // The data of the newest metrics event whose data has `key`, if any (to recover a job's
  // metrics after a crash).
  std::optional<nlohmann::json> last_metrics(const std::string& key);

 private:
  // Reads the file once; lines that do not parse as the next event (a line torn by a power
  // cut) are skipped, so sequence numbers continue from the last whole event.
  void load();

  std::filesystem::path file_;
  bool loaded_ = false;
  std::vector<std::string> lines_;  // lines_[i] is the event with seq i + 1
};

}  // namespace ft::plugin
