// ft-evaluate-model --file EXAMPLES.jsonl [--threads N] [--base BASE_FOLDER] MODEL_FOLDER...
//
// The benchmark's test metrics of each model on a file of examples in either OpenAI format, one
// JSON line per model:
//   {"model": ..., "examples": N, "completion_tokens": T, "completion_nll": x, "exact_match": f}
// completion_nll is the mean negative log-likelihood (nats) of the completion tokens (weight 1 in
// training, EOS included); prompt tokens are not scored, whatever prompt_loss_weight a run used.
// exact_match is the share of examples whose every completion token is the model's most likely
// next token given the reference before it: exactly the examples that greedy decoding from the
// prompt reproduces token for token (each greedy step then sees the reference's prefix), so no
// generation loop is needed. Examples are tokenized as training tokenizes them (the folder's
// tokenizer and chat template, engine/data/example_template.h). A MODEL_FOLDER holding
// adapter_config.json is a PEFT adapter and runs on BASE_FOLDER, or else on the base it names
// (a training checkpoint's adapter names none).
#include "engine/core/error.h"
#include "engine/data/chat_format.h"
#include "engine/data/packed_batch.h"
#include "engine/data/training_data.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/model_config.h"
#include "engine/formats/peft_adapter.h"
#include "engine/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Examples scored per forward pass: enough to keep the matrix products busy on a small model.
constexpr size_t examples_per_pass = 32;

struct Scores {
  double nll_sum = 0;
  int64_t completion_tokens = 0;
  int64_t exact = 0;
};

// Adds one packed micro-batch's completion NLL and fully-correct examples to `scores`.
void score(ft::CausalLM& model, const ft::PackedBatch& batch, Scores& scores) {
  const auto logits = model.forward(ft::ModelInput(batch.input_ids, batch.position_ids, batch.segment_ids));
  const auto log_probs = torch::log_softmax(logits, -1);
  const auto nll = -log_probs.gather(-1, batch.targets.unsqueeze(-1)).squeeze(-1);
  const auto scored = batch.completion;
  const auto wrong = scored & (logits.argmax(-1) != batch.targets);
  scores.nll_sum += nll.masked_select(scored).sum().item<double>();
  scores.completion_tokens += scored.sum().item<int64_t>();
  // An example is a (row, segment) pair of the packed batch.
  const auto example = torch::arange(batch.segment_ids.size(0)).unsqueeze(1) * (batch.segment_ids.size(1) + 1) +
                       batch.segment_ids;
  const int64_t with_completion = std::get<0>(torch::_unique(example.masked_select(scored))).numel();
  const int64_t with_a_miss = std::get<0>(torch::_unique(example.masked_select(wrong))).numel();
  scores.exact += with_completion - with_a_miss;
}

nlohmann::json evaluate(const fs::path& folder, const fs::path& file, const fs::path& adapter_base) {
  const bool adapter = fs::exists(folder / "adapter_config.json");
  const fs::path base = !adapter ? folder : !adapter_base.empty() ? adapter_base : ft::peft_base_model_folder(folder);
  const auto tokenizer = ft::Tokenizer::load_folder(base);
  const auto chat = ft::chat_format_of(base, tokenizer);
  const auto config = ft::read_model_config(base / "config.json");
  const auto data = ft::load_training_data(file, ft::ExampleEncoding(tokenizer, chat.model_template.get()),
                                           config.max_position_embeddings, "file");
  auto model = ft::load_causal_lm(base);
  if (adapter) ft::load_peft_adapter(folder, *model);
  model->eval();
  torch::NoGradGuard no_grad;
  Scores scores;
  const auto& examples = data.examples;
  for (size_t i = 0; i < examples.size(); i += examples_per_pass) {
    std::vector<const ft::TokenizedExample*> part;
    for (size_t j = i; j < std::min(examples.size(), i + examples_per_pass); ++j) part.push_back(&examples[j]);
    score(*model, ft::pack_examples(part, config.max_position_embeddings, 0.0), scores);
  }
  const auto n = static_cast<int64_t>(examples.size());
  return {{"model", folder.string()},
          {"examples", n},
          {"completion_tokens", scores.completion_tokens},
          {"completion_nll", scores.completion_tokens ? scores.nll_sum / double(scores.completion_tokens) : 0.0},
          {"exact_match", n ? double(scores.exact) / double(n) : 0.0}};
}

int usage() {
  std::fprintf(stderr, "usage: ft-evaluate-model --file EXAMPLES.jsonl [--threads N] [--base BASE_FOLDER] MODEL_FOLDER...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path file, adapter_base;
  std::vector<fs::path> folders;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else if (arg == "--base" && i + 1 < argc) {
      adapter_base = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      torch::set_num_threads(std::stoi(argv[++i]));
    } else if (arg.rfind("--", 0) == 0) {
      return usage();
    } else {
      folders.emplace_back(arg);
    }
  }
  if (file.empty() || folders.empty()) return usage();
  try {
    for (const auto& folder : folders) std::printf("%s\n", evaluate(folder, file, adapter_base).dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ft-evaluate-model: %s\n", e.what());
    return 1;
  }
  return 0;
}
