// Whole-file reads and atomic writes, with errors that name the file and say why.
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
// old file or the new one, never a torn one. Throws ft::Error(io) naming `path` and the
// system's reason ("No space left on device") on failure; the temporary file is removed.
void write_file_atomically(const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write_body);
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// Writes a folder atomically: `fill` writes its contents into `<folder>.partial`, which is then
// renamed over `folder`, so the folder appears complete or not at all. On failure the partial
// folder is removed (giving its space back) and ft::Error(io) names the file that failed.
void write_folder_atomically(const std::filesystem::path& folder,
                             const std::function<void(const std::filesystem::path& partial)>& fill);

}  // namespace ft
