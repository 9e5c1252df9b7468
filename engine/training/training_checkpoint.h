// The checkpoints of a training run: where they live, what they hold, which are kept, and how a
// run continues from one.
//
//   <checkpoints>/epoch-NNNN/      written at the end of epoch NNNN
//   <checkpoints>/step-NNNNNNNN/   written inside an epoch, after optimizer step NNNNNNNN
//     model/ (a LoRA run: adapter/), optimizer.safetensors, state.json
//
// Each folder is written beside its final name and renamed, so it exists complete or not at
// all; a failed write (a full disk) leaves the earlier checkpoints as they were. The newest
// `keep` checkpoints are kept, and besides them the newest epoch-end one and the one of the best
// epoch so far (TrainingPosition::best_epoch), whose weights a run that selects its epoch delivers.
#pragma once

#include "engine/models/causal_lm.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/adamw.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace ft {

// Where a run stands between two optimizer steps. With the weights and the optimizer's moments
// it is all a run needs to continue exactly: the data order, the learning rate and the random
// draws are functions of the step (trainer.h).
struct TrainingPosition {
  int64_t step = 0;              // optimizer steps completed
  int64_t completed_epochs = 0;  // whole epochs among them
  int64_t tokens_seen = 0, examples_seen = 0;
  // With epoch selection: the epoch whose validation completion loss is the lowest so far (0: none
  // scored yet) and that loss.
  int64_t best_epoch = 0;
  double best_valid_loss = 0;
};

struct SavedCheckpoint {
  std::filesystem::path folder;
  TrainingPosition position;
  bool epoch_end = false;  // written at the end of an epoch rather than inside one
};

class TrainingCheckpoints {
 public:
  // `folder` is created on the first save; `keep` >= 1.
  TrainingCheckpoints(std::filesystem::path folder, int keep);

  // Writes a checkpoint at `position`, then removes those no longer kept. `fingerprint` identifies
  // the data, batch size and seed the run trains with (resume refuses any other). Throws
  // ft::Error(io) naming the file when a write fails; nothing written before is touched then.
  SavedCheckpoint save(const TrainingPosition& position, bool epoch_end, CausalLM& model, const Tokenizer& tokenizer,
                       const AdamW& optimizer, uint64_t fingerprint, uint64_t seed) const;

  // The complete checkpoints in `folder`, oldest first; unreadable ones are left out.
  static std::vector<SavedCheckpoint> list(const std::filesystem::path& folder);
  // The one with the most steps, if any.
  static std::optional<std::filesystem::path> latest(const std::filesystem::path& folder);

  // The position a checkpoint was written at; ft::Error(invalid_input) naming its state.json
  // when that cannot be read.
  static TrainingPosition position_of(const std::filesystem::path& checkpoint);
  // Loads the weights (a LoRA model: its adapters) and the optimizer state, and returns the
  // position. Throws ft::Error(invalid_input) when the checkpoint belongs to another run.
  static TrainingPosition load(const std::filesystem::path& checkpoint, uint64_t fingerprint, CausalLM& model,
                               AdamW& optimizer);
  // Loads the weights alone (a LoRA model: its adapters): what a run that selects its epoch
  // delivers. Throws ft::Error naming the file when they cannot be read.
  static void load_model_weights(const std::filesystem::path& checkpoint, CausalLM& model);
  // The epoch-end checkpoint of `epoch` in `folder`, if it is there.
  static std::optional<std::filesystem::path> of_epoch(const std::filesystem::path& folder, int64_t epoch);

 private:
  void remove_unkept(int64_t best_epoch) const;

  std::filesystem::path folder_;
  int keep_;
};

}  // namespace ft
