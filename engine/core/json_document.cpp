#include "engine/core/json_document.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"

namespace ft {

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
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message carries the byte position; drop its "[json.exception...]" prefix.
    std::string what = e.what();
    auto pos = what.find("] ");
    throw Error(ErrorKind::invalid_input,
                source + ": not valid JSON (" + (pos == std::string::npos ? what : what.substr(pos + 2)) + ")");
  }
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
