// Where the New fine-tune page's file picker puts what it uploads: WORKSPACE/uploads/. A name is
// a plain file name (letters, digits, ".", "-", "_"; no folder, not hidden), a file is never
// overwritten (a taken name gets "-1", "-2", ... before its extension), and a body larger than
// the cap is refused.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace fthost {

class UploadStore {
 public:
  UploadStore(std::filesystem::path folder, size_t max_bytes) : folder_(std::move(folder)), max_bytes_(max_bytes) {}

  const std::filesystem::path& folder() const { return folder_; }
  size_t max_bytes() const { return max_bytes_; }

  // Writes `content` as a new file named after `name`; returns its path. ApiError for a bad
  // name (400), a body over the cap (413) or a write that fails (500).
  std::filesystem::path save(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path folder_;
  size_t max_bytes_;
};

}  // namespace fthost
