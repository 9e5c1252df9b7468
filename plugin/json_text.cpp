#include "plugin/json_text.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "plugin/api_error.h"

#include <cstring>

namespace ft::plugin {

nlohmann::json parse_argument_object(const char* text, const std::string& what) {
  const JsonLimits limits;
  // strnlen: a caller's string is read no further than the cap (plus one byte to detect excess).
  const size_t length = strnlen(text, limits.max_bytes + 1);
  nlohmann::json document;
  try {
    document = parse_json(std::string(text, length), what, limits);
  } catch (const Error& e) {
    throw ApiError(FT_ERR_INVALID_ARGUMENT, e.what());
  }
  if (!document.is_object()) throw ApiError(FT_ERR_INVALID_ARGUMENT, what + ": must be a JSON object");
  return document;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string quoted(const std::string& text) { return dump_json(nlohmann::json(text)); }

}  // namespace ft::plugin
