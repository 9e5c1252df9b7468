// Whole-file reads and atomic writes, with errors that name the file.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

namespace ft {

// Reads a whole file as bytes; a missing file is ErrorKind::not_found, any other failure io.
std::string read_file_bytes(const std::filesystem::path& path);

// Writes a file atomically: `write_body` fills a temporary file beside `path` (returning false
// on a failed write), which is then flushed to disk and renamed over `path`. A reader sees the
// old file or the new one, never a torn one. Throws ft::Error(io) naming `path` on failure.
void write_file_atomically(const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write_body);
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace ft
