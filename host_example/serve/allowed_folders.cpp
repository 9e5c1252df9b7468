#include "serve/allowed_folders.h"

#include "host_error.h"
#include "serve/api_error.h"

namespace fthost {

namespace fs = std::filesystem;

AllowedFolders::AllowedFolders(const std::vector<fs::path>& folders) {
  for (const auto& folder : folders) {
    std::error_code error;
    const fs::path resolved = fs::canonical(folder, error);
    if (error || !fs::is_directory(resolved)) throw HostError("the folder " + folder.string() + " does not exist");
    folders_.push_back(resolved);
  }
}

fs::path AllowedFolders::confine(const std::string& text, const std::string& param) const {
  if (text.empty()) throw ApiError(400, "invalid_argument", param + " is empty", param);
  std::error_code error;
  // weakly_canonical resolves every symbolic link of the part that exists, and "..".
  const fs::path resolved = fs::weakly_canonical(fs::absolute(text), error);
  if (!error) {
    for (const auto& folder : folders_) {
      const fs::path inside = resolved.lexically_relative(folder);
      if (!inside.empty() && *inside.begin() != "..") return resolved;
    }
  }
  std::string allowed;
  for (const auto& folder : folders_) allowed += (allowed.empty() ? "" : ", ") + folder.string();
  throw ApiError(403, "forbidden",
                 param + ": \"" + text + "\" is outside the folders this server may read (" + allowed +
                     "); give its folder to ft-host serve, or upload the file",
                 param);
}

namespace {

// A model that is a name rather than a path: an architecture preset or a job id. The plugin takes
// an existing path as a folder first, so a name that is also a path is a path.
bool is_name(const std::string& text) {
  std::error_code error;
  return text.find('/') == std::string::npos && text != "." && text != ".." && !fs::exists(text, error);
}

}  // namespace

void AllowedFolders::confine_member(nlohmann::json& request, const char* key, bool may_be_name) const {
  if (!request.contains(key) || !request[key].is_string()) return;  // absent, null or mistyped: the plugin says
  const std::string text = request[key];
  if (may_be_name && is_name(text)) return;
  request[key] = confine(text, key).string();
}

nlohmann::json AllowedFolders::confine_training_request(nlohmann::json request) const {
  if (!request.is_object()) throw ApiError(400, "invalid_argument", "the request must be a JSON object");
  confine_member(request, "model", true);
  confine_member(request, "training_file", false);
  confine_member(request, "validation_file", false);
  return request;
}

nlohmann::json AllowedFolders::confine_generate_request(nlohmann::json request) const {
  if (!request.is_object()) throw ApiError(400, "invalid_argument", "the request must be a JSON object");
  confine_member(request, "model", true);
  return request;
}

}  // namespace fthost
