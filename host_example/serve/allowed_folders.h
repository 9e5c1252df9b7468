// The folders whose files a request to ft-host serve may name: the workspace and the folders the
// user gave on the command line. Every path a request carries (the model folder, the training
// and validation files, the Playground's model folder) is made absolute against the current
// folder, its symbolic links resolved, and refused unless the result lies inside one of them; the
// plugin then gets that resolved path. Architecture presets ("tiny-llama") and job ids
// ("ftjob-...") are names, not paths, and pass as they are.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace fthost {

class AllowedFolders {
 public:
  // Each folder must exist; throws HostError naming the one that does not.
  explicit AllowedFolders(const std::vector<std::filesystem::path>& folders);

  const std::vector<std::filesystem::path>& folders() const { return folders_; }

  // The resolved absolute path `text` names, or ApiError (403 "forbidden", naming `param`) when it
  // lies outside every allowed folder.
  std::filesystem::path confine(const std::string& text, const std::string& param) const;

  // A fine-tuning request (ft_plan, ft_job_create) with its model, training_file and
  // validation_file confined. Other keys pass unchanged: the plugin checks them.
  nlohmann::json confine_training_request(nlohmann::json request) const;
  // A generation request (ft_generate) with its model confined unless it is a job id.
  nlohmann::json confine_generate_request(nlohmann::json request) const;

 private:
  void confine_member(nlohmann::json& request, const char* key, bool may_be_name) const;
  std::vector<std::filesystem::path> folders_;
};

}  // namespace fthost
