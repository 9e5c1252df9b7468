// AdamW (Loshchilov and Hutter): Adam with weight decay applied to the weights directly,
// decoupled from the gradient, as torch.optim.AdamW computes it. Written here rather than
// taken from torch::optim so that its state saves to safetensors by parameter name, for
// checkpoints that resume exactly.
#pragma once

#include "engine/formats/safetensors_writer.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ft {

class SafetensorsReader;

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.95, epsilon = 1e-8, weight_decay = 0.1;
};

class AdamW {
 public:
  // Every parameter that requires a gradient is optimized; see `decays` for weight decay.
  AdamW(const torch::OrderedDict<std::string, torch::Tensor>& parameters, AdamWOptions options);

  void step(double learning_rate);
  void zero_grad();
  int64_t steps_taken() const { return steps_; }
  // For a rank that takes another rank's state (whose moments it receives in state()'s tensors).
  void set_steps_taken(int64_t steps) { steps_ = steps; }

  // "exp_avg.<name>", "exp_avg_sq.<name>" (the moments themselves, not copies) and "step"; load
  // checks every name and shape.
  NamedTensors state() const;
  void load_state(const SafetensorsReader& file);

  // Norms, biases and embeddings are not decayed (GPT-3 appendix B; common practice).
  static bool decays(const std::string& name, const torch::Tensor& parameter);

 private:
  struct Slot {
    std::string name;
    torch::Tensor parameter, exp_avg, exp_avg_sq;
    bool decay;
  };
  // Slots the fused kernel updates in one call: the same weight decay, dtype and device, with the
  // step count it reads as a tensor on that device (it applies that step's bias corrections).
  struct Group {
    bool decay;
    std::vector<size_t> slots;
    torch::Tensor step_count;
  };
  void step_group(Group& group, double learning_rate);

  std::vector<Slot> slots_;
  std::vector<Group> groups_;
  AdamWOptions options_;
  int64_t steps_ = 0;
};

// Scales all gradients so that their global L2 norm is at most `max_norm`; returns the norm
// before clipping.
double clip_gradient_norm(const torch::OrderedDict<std::string, torch::Tensor>& parameters, double max_norm);

}  // namespace ft
