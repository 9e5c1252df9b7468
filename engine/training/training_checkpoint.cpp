#include "engine/training/training_checkpoint.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/json_document.h"
#include "engine/core/string_affixes.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/formats/peft_adapter.h"
#include "engine/formats/safetensors_reader.h"
#include "engine/models/lora.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ft {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEpochPrefix = "epoch-";
constexpr const char* kStepPrefix = "step-";

std::string checkpoint_name(const TrainingPosition& position, bool epoch_end) {
  char name[32];
  if (epoch_end) {
    std::snprintf(name, sizeof name, "%s%04lld", kEpochPrefix, static_cast<long long>(position.completed_epochs));
  } else {
    std::snprintf(name, sizeof name, "%s%08lld", kStepPrefix, static_cast<long long>(position.step));
  }
  return name;
}

// A finished checkpoint's name: the prefix and digits only (".partial" and ".tmp" are not).
bool is_checkpoint_name(const std::string& name) {
  const bool epoch = starts_with(name, kEpochPrefix), step = starts_with(name, kStepPrefix);
  const size_t digits = epoch ? std::strlen(kEpochPrefix) : std::strlen(kStepPrefix);
  return (epoch || step) && name.size() > digits && name.find_first_not_of("0123456789", digits) == std::string::npos;
}

}  // namespace

TrainingCheckpoints::TrainingCheckpoints(fs::path folder, int keep) : folder_(std::move(folder)), keep_(keep) {
  if (keep_ < 1) throw Error(ErrorKind::invalid_argument, "training checkpoints: keep must be at least 1");
}

SavedCheckpoint TrainingCheckpoints::save(const TrainingPosition& position, bool epoch_end, CausalLM& model,
                                          const Tokenizer& tokenizer, const AdamW& optimizer, uint64_t fingerprint,
                                          uint64_t seed) const {
  const auto folder = folder_ / checkpoint_name(position, epoch_end);
  write_folder_atomically(folder, [&](const fs::path& partial) {
    // A LoRA run saves its adapters only: its base is frozen, and resuming re-reads it from the
    // model folder the run started from.
    if (has_lora(model)) write_peft_adapter(partial / "adapter", model, "");
    else write_checkpoint(partial / "model", model, tokenizer);
    write_safetensors(partial / "optimizer.safetensors", optimizer.state());
    nlohmann::json state = {{"completed_epochs", position.completed_epochs},
                            {"step", position.step},
                            {"tokens_seen", position.tokens_seen},
                            {"examples_seen", position.examples_seen},
                            {"seed", seed},
                            {"data_fingerprint", fingerprint}};
    if (position.best_epoch > 0) {
      state["best_epoch"] = position.best_epoch;
      state["best_valid_loss"] = position.best_valid_loss;
    }
    write_file_atomically(partial / "state.json", state.dump(2) + "\n");
  });
  remove_unkept(position.best_epoch);
  return {folder, position, epoch_end};
}

void TrainingCheckpoints::remove_unkept(int64_t best_epoch) const {
  const auto all = list(folder_);
  const auto last_epoch = std::find_if(all.rbegin(), all.rend(), [](const SavedCheckpoint& c) { return c.epoch_end; });
  const size_t newest_kept = all.size() > static_cast<size_t>(keep_) ? all.size() - keep_ : 0;
  for (size_t i = 0; i < newest_kept; ++i) {
    if (last_epoch != all.rend() && &all[i] == &*last_epoch) continue;
    if (all[i].epoch_end && all[i].position.completed_epochs == best_epoch) continue;
    std::error_code ec;  // one left behind costs space, not correctness: the newest is read
    fs::remove_all(all[i].folder, ec);
  }
}

std::vector<SavedCheckpoint> TrainingCheckpoints::list(const fs::path& folder) {
  std::vector<SavedCheckpoint> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const auto name = entry.path().filename().string();
    if (!is_checkpoint_name(name)) continue;
    try {
      found.push_back({entry.path(), position_of(entry.path()), starts_with(name, kEpochPrefix)});
    } catch (const Error&) {
      // Not a checkpoint this run can continue from; left on disk for a person to look at.
    }
  }
  std::sort(found.begin(), found.end(), [](const SavedCheckpoint& a, const SavedCheckpoint& b) {
    return a.position.step != b.position.step ? a.position.step < b.position.step : !a.epoch_end && b.epoch_end;
  });
  return found;
}

std::optional<fs::path> TrainingCheckpoints::latest(const fs::path& folder) {
  const auto all = list(folder);
  if (all.empty()) return std::nullopt;
  return all.back().folder;
}

TrainingPosition TrainingCheckpoints::position_of(const fs::path& checkpoint) {
  const auto file = checkpoint / "state.json";
  try {
    const auto state = read_json_file(file);
    TrainingPosition p;
    p.step = state.at("step").get<int64_t>();
    p.completed_epochs = state.at("completed_epochs").get<int64_t>();
    p.tokens_seen = state.at("tokens_seen").get<int64_t>();
    p.examples_seen = state.at("examples_seen").get<int64_t>();
    // Checkpoints of runs that do not select their epoch (and older ones) have no best epoch.
    p.best_epoch = state.value("best_epoch", int64_t{0});
    p.best_valid_loss = state.value("best_valid_loss", 0.0);
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::invalid_input, file.string() + ": " + e.what());
  } catch (const Error& e) {
    throw Error(ErrorKind::invalid_input, e.what());
  }
}

TrainingPosition TrainingCheckpoints::load(const fs::path& checkpoint, uint64_t fingerprint, CausalLM& model,
                                           AdamW& optimizer) {
  const auto position = position_of(checkpoint);
  const auto file = checkpoint / "state.json";
  try {
    if (read_json_file(file).at("data_fingerprint").get<uint64_t>() != fingerprint) {
      throw Error(ErrorKind::invalid_input,
                  checkpoint.string() + ": this checkpoint was made with other training data, batch size or seed");
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::invalid_input, file.string() + ": " + e.what());
  }
  load_model_weights(checkpoint, model);
  optimizer.load_state(SafetensorsReader(checkpoint / "optimizer.safetensors"));
  return position;
}

void TrainingCheckpoints::load_model_weights(const fs::path& checkpoint, CausalLM& model) {
  if (has_lora(model)) load_peft_adapter_weights(checkpoint / "adapter", model);
  else load_weights(open_checkpoint_weights(checkpoint / "model"), model);
}

std::optional<fs::path> TrainingCheckpoints::of_epoch(const fs::path& folder, int64_t epoch) {
  for (const auto& c : list(folder)) {
    if (c.epoch_end && c.position.completed_epochs == epoch) return c.folder;
  }
  return std::nullopt;
}

}  // namespace ft
