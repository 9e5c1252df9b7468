// JSON text in and out at the C boundary: documents a caller passes (capped, and refused as
// FT_ERR_INVALID_ARGUMENT, since they are arguments rather than input files), and documents the
// plugin returns or writes (never throwing on a path that is not valid UTF-8).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ft::plugin {

// Parses the caller's text (`what` names it in messages: "request", "options"); throws
// ApiError(FT_ERR_INVALID_ARGUMENT) when it is not valid JSON, too large or too deeply nested,
// or is not an object.
nlohmann::json parse_argument_object(const char* text, const std::string& what);

// Compact JSON text; bytes that are not UTF-8 (a file name) become U+FFFD instead of throwing.
std::string dump_json(const nlohmann::json& value);

// `text` as a JSON string literal, for messages: "\"../x\"".
std::string quoted(const std::string& text);

}  // namespace ft::plugin
