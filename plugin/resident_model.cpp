#include "plugin/resident_model.h"

#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/peft_adapter.h"

#include <algorithm>
#include <vector>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

// The folder's path and the name, size and modification time of each file in it: what changes
// when a checkpoint is written again.
std::string folder_identity(const fs::path& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const auto size = entry.file_size(ec);
    const auto time = entry.last_write_time(ec).time_since_epoch().count();
    files.push_back(entry.path().filename().string() + ":" + std::to_string(size) + ":" + std::to_string(time));
  }
  std::sort(files.begin(), files.end());
  std::string identity = fs::absolute(folder).lexically_normal().string();
  for (const auto& file : files) identity += "\n" + file;
  return identity;
}

// `base` is `folder` itself, or for an adapter folder the base model it names.
LoadedModel load_model(const fs::path& folder, const fs::path& base, const torch::Device& device) {
  auto tokenizer = Tokenizer::load_folder(base);
  auto chat_format = chat_format_of(base, tokenizer);
  auto model = load_causal_lm(base);
  if (base != folder) load_peft_adapter(folder, *model);
  model->to(device);
  model->eval();
  return {std::move(model), std::move(tokenizer), std::move(chat_format)};
}

}  // namespace

const LoadedModel& ResidentModel::load(const fs::path& folder, const torch::Device& device) {
  const bool adapter = fs::exists(folder / "adapter_config.json");
  const auto base = adapter ? peft_base_model_folder(folder) : folder;
  auto identity = folder_identity(folder) + "\n" + device.str();
  if (adapter) identity += "\n" + folder_identity(base);
  if (loaded_ && identity == identity_) return *loaded_;
  loaded_.reset();  // the old model goes before the new one is read: never two in memory
  identity_.clear();
  loaded_ = std::make_unique<LoadedModel>(load_model(folder, base, device));
  identity_ = std::move(identity);
  return *loaded_;
}

}  // namespace ft::plugin
