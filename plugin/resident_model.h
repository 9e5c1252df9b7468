// The model ft_generate last used, kept loaded on its plugin handle so that the next call on the
// same model starts at once: a playground sends one prompt after another to the same model.
// One model at a time; asking for another releases it, and so does ft_close.
#pragma once

#include "engine/data/chat_format.h"
#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace ft::plugin {

// A model ready to generate: a checkpoint folder, or a LoRA adapter folder on its base (unmerged).
struct LoadedModel {
  std::shared_ptr<CausalLM> model;
  Tokenizer tokenizer;
  ChatFormat chat_format;  // the base folder's
};

class ResidentModel {
 public:
  // Runs `use` with the model of `folder` on `device`, loading it unless it is the one held. A
  // folder whose files changed since (a user's checkpoint folder written again) is loaded again.
  // Calls are serialised: one generation at a time per handle. Throws what loading throws; then
  // nothing stays held.
  template <typename Use>
  auto with(const std::filesystem::path& folder, const torch::Device& device, Use&& use) {
    std::lock_guard lock(mutex_);
    return use(load(folder, device));
  }

 private:
  const LoadedModel& load(const std::filesystem::path& folder, const torch::Device& device);

  std::mutex mutex_;
  std::string identity_;  // the held model's folder and its files' sizes and times; empty: none
  std::unique_ptr<LoadedModel> loaded_;
};

}  // namespace ft::plugin
