#include "plugin/request_resolution.h"

#include "engine/core/error.h"
#include "engine/models/architecture_presets.h"
#include "engine/planning/hyperparameter_request.h"
#include "plugin/json_text.h"

#include <filesystem>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

fs::path absolute_path(const fs::path& path) { return fs::absolute(path).lexically_normal(); }

void require_file(const fs::path& path, const std::string& param) {
  std::error_code ec;
  if (!fs::exists(path, ec) || fs::is_directory(path, ec)) {
    throw Error(ErrorKind::not_found, param + ": no such file: " + path.string(), param);
  }
}

}  // namespace

TrainingRequest read_request(const char* request_json) {
  const auto document = parse_argument_object(request_json, "request");
  TrainingRequest request;
  try {
    request = parse_training_request(document);
  } catch (const Error& e) {
    // The header: a method other than "full" is valid but not handled, FT_ERR_UNSUPPORTED.
    if (e.param() == "method") throw Error(ErrorKind::unsupported, e.what(), e.param());
    throw;
  }
  (void)parse_hyperparameter_request(request.hyperparameters, request.seed);  // ranges, now
  std::error_code ec;
  // A model that names an existing path is a folder; otherwise it stays a preset's name.
  if (fs::exists(request.model, ec)) request.model = absolute_path(request.model).string();
  request.training_file = absolute_path(request.training_file);
  if (request.validation_file) request.validation_file = absolute_path(*request.validation_file);
  return request;
}

void require_request_files(const TrainingRequest& request) {
  std::error_code ec;
  if (!fs::is_directory(request.model, ec) && !architecture_preset(request.model, 512)) {
    throw Error(ErrorKind::not_found,
                "model: " + quoted(request.model) + " is neither a checkpoint folder nor a known architecture", "model");
  }
  require_file(request.training_file, "training_file");
  if (request.validation_file) require_file(*request.validation_file, "validation_file");
}

}  // namespace ft::plugin
