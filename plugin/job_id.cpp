#include "plugin/job_id.h"

#include "plugin/api_error.h"

#include <chrono>
#include <cstring>
#include <mutex>
#include <random>

namespace ft::plugin {
namespace {

constexpr char kPrefix[] = "ftjob-";
constexpr size_t kPrefixLength = sizeof kPrefix - 1;
constexpr size_t kTimeDigits = 9;  // 36^9 ms is over 3000 years
constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

std::string base36(uint64_t value, size_t digits) {
  std::string text(digits, '0');
  for (size_t i = digits; i-- > 0; value /= 36) text[i] = kDigits[value % 36];
  return text;
}

}  // namespace

std::string make_job_id() {
  static std::mutex mutex;
  static uint64_t last_millis = 0;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mutex);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  uint64_t millis = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  millis = std::max(millis, last_millis + 1);  // strictly increasing, even within a millisecond
  last_millis = millis;
  std::string id = kPrefix + base36(millis, kTimeDigits);
  while (id.size() < FT_JOB_ID_LENGTH) id += kDigits[random() % 36];
  return id;
}

bool is_job_id(const std::string& text) {
  if (text.size() != FT_JOB_ID_LENGTH || text.compare(0, kPrefixLength, kPrefix) != 0) return false;
  for (size_t i = kPrefixLength; i < text.size(); ++i) {
    const char c = text[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

std::string require_job_id(const char* job_id, const char* function) {
  require_pointer(job_id, function, "job_id");
  // Bounded read: a caller's string may be huge or a path; only FT_JOB_ID_LENGTH + 1 bytes matter.
  const size_t length = strnlen(job_id, FT_JOB_ID_LENGTH + 1);
  std::string id(job_id, length);
  if (!is_job_id(id)) {
    std::string shown = length > FT_JOB_ID_LENGTH ? id.substr(0, FT_JOB_ID_LENGTH) + "..." : id;
    throw ApiError(FT_ERR_INVALID_ARGUMENT, std::string(function) + ": \"" + shown +
                                                "\" is not a job id (\"ftjob-\" followed by 24 characters of [0-9a-z])");
  }
  return id;
}

}  // namespace ft::plugin
