// Parsing of untrusted JSON text (config.json, safetensors headers, requests, data lines):
// a size cap, a nesting cap, and errors that name where the text came from.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace ft {

struct JsonLimits {
  size_t max_bytes = 64u << 20;
  int max_depth = 64;
};

// Parses `text`; on failure throws ft::Error(invalid_input) whose message starts with `source`
// (a file name, "line 12 of train.jsonl", "request") and says what is wrong.
nlohmann::json parse_json(const std::string& text, const std::string& source, JsonLimits limits = {});

// A value from a user's document, for a message: its JSON text, at most `max_bytes` of it
// ("..." when cut), so that a megabyte-long string is never quoted whole.
std::string json_excerpt(const nlohmann::json& value, size_t max_bytes = 60);

// Reads and parses a whole file; a missing file is ErrorKind::not_found.
nlohmann::json read_json_file(const std::filesystem::path& path, JsonLimits limits = {});


}  // namespace ft
