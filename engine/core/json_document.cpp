#include "engine/core/json_document.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/string_affixes.h"
#include "engine/core/utf8_text.h"

namespace ft {
namespace {

// nlohmann quotes the token it stopped in ("...; last read: '<token>'") or the number it could
// not hold ("number overflow parsing '<number>'"), raw: a corrupted file's bytes, or a whole
// megabyte-long string. The message keeps the token's last bytes, where the fault is, and at
// most kReasonBytes in all, as valid UTF-8.
constexpr size_t kQuotedTokenBytes = 40;
constexpr size_t kReasonBytes = 200;

// The part after the quoted token: nothing, or "; expected " and one of nlohmann's token names.
size_t closing_part_length(const std::string& what) {
  static const char* const kExpected[] = {"<uninitialized>", "true literal", "false literal", "null literal",
                                          "string literal", "number literal", "'['", "'{'", "']'", "'}'", "':'",
                                          "','", "<parse error>", "end of input", "'[', '{', or a literal"};
  for (const char* name : kExpected) {
    const std::string closing = std::string("'; expected ") + name;
    if (ends_with(what, closing)) {
      return closing.size();
    }
  }
  return 1;  // the closing quote alone
}

std::string error_reason(const nlohmann::json::exception& e) {
  std::string what = e.what();
  // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
  if (const auto prefix_end = what.find("] "); prefix_end != std::string::npos) what.erase(0, prefix_end + 2);
  const std::string opening = "; last read: '";
  const auto token_begin = what.find(opening);
  if (token_begin == std::string::npos) return utf8_prefix(what, kReasonBytes);
  const auto start = token_begin + opening.size();
  const auto closing = closing_part_length(what);
  if (what.size() < start + closing) return what.substr(0, token_begin);
  const auto token = std::string_view(what).substr(start, what.size() - closing - start);
  return utf8_prefix(what.substr(0, start), kReasonBytes) + utf8_suffix(token, kQuotedTokenBytes) +
         what.substr(what.size() - closing);
}

}  // namespace

nlohmann::json parse_json(const std::string& text, const std::string& source, JsonLimits limits) {
  if (text.size() > limits.max_bytes) {
    throw Error(ErrorKind::invalid_input, source + ": JSON text of " + std::to_string(text.size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limits.max_bytes) + " bytes");
  }
  bool too_deep = false;
  auto depth_guard = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > limits.max_depth) too_deep = true;
    return !too_deep;
  };
  try {
    auto doc = nlohmann::json::parse(text, depth_guard);
    if (too_deep) {
      throw Error(ErrorKind::invalid_input, source + ": JSON nested deeper than " +
                                                std::to_string(limits.max_depth) + " levels");
    }
    return doc;
  } catch (const nlohmann::json::exception& e) {
    // A syntax error (its message carries the line, column and byte position) or a number too
    // large for a double.
    throw Error(ErrorKind::invalid_input, source + ": not valid JSON (" + error_reason(e) + ")");
  }
}

std::string json_excerpt(const nlohmann::json& value, size_t max_bytes) {
  return utf8_prefix(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max_bytes);
}

nlohmann::json read_json_file(const std::filesystem::path& path, JsonLimits limits) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limits.max_bytes) {
    throw Error(ErrorKind::invalid_input, path.string() + ": file of " + std::to_string(size) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limits.max_bytes) + " bytes");
  }
  return parse_json(read_file_bytes(path), path.string(), limits);
}

}  // namespace ft
