#include "engine/models/causal_lm.h"

#include "engine/models/gpt2_model.h"
#include "engine/models/llama_model.h"

namespace ft {

torch::Tensor CausalLM::positions_of(const ModelInput& input) {
  if (input.position_ids.defined()) return input.position_ids;
  const auto& ids = input.input_ids;
  const int64_t start = input.cache ? input.cache->length() : 0;
  return torch::arange(start, start + ids.size(1), ids.options()).unsqueeze(0).expand({ids.size(0), ids.size(1)});
}

torch::Tensor CausalLM::segment_mask(const ModelInput& input) {
  if (!input.segment_ids.defined()) return {};
  const auto& s = input.segment_ids;
  return s.unsqueeze(2).eq(s.unsqueeze(1)).unsqueeze(1);
}

std::shared_ptr<CausalLM> make_causal_lm(const ModelConfig& config) {
  switch (config.architecture) {
    case Architecture::gpt2: return std::make_shared<Gpt2LMHeadModel>(config);
    case Architecture::llama:
    case Architecture::mistral:
    case Architecture::qwen2:
    case Architecture::qwen3:
    case Architecture::phi3:
    case Architecture::gemma2: return std::make_shared<LlamaForCausalLM>(config);
  }
  throw std::logic_error("unknown architecture");
}

}  // namespace ft
