// method-step-bench FOLDER full|lora SEQ STEPS [RANK]: what one optimizer step costs when the
// model of a Hugging Face folder is fine-tuned in full or with LoRA, on micro-batches of one
// sequence of SEQ random tokens: the mean time of steps 2..STEPS and the process's peak resident
// memory. LoRA adapts every projection but the output head at rank RANK (default 16), the base
// held as training holds it (engine/models/weight_storage.h). It bypasses the plan's memory
// check, so that a method the plan refuses for lack of memory can be measured too; run one
// method per process, since the peak is the process's.
#include "engine/formats/checkpoint_reader.h"
#include "engine/models/lora.h"
#include "engine/models/weight_storage.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/cpu_tensor_allocator.h"
#include "engine/training/trainer.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

double peak_rss_gb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0 / 1e9;  // Linux reports KiB
}

std::shared_ptr<ft::CausalLM> load_for(const std::filesystem::path& folder, bool lora, int64_t rank) {
  const auto weights = ft::open_checkpoint_weights(folder);
  auto model = ft::make_causal_lm(ft::read_model_config(folder / "config.json"));
  if (lora) ft::hold_matrices_in(*model, ft::frozen_base_dtype(ft::stored_matrix_dtype(weights), torch::kCPU));
  ft::load_weights(weights, *model);
  if (lora) {
    ft::LoraSettings settings;
    settings.rank = rank;
    settings.alpha = 2.0 * static_cast<double>(rank);
    for (const auto& name : ft::adaptable_module_names(*model)) {
      if (name != "lm_head") settings.target_modules.push_back(name);
    }
    ft::attach_lora(*model, settings, 0);
  }
  return model;
}

std::vector<ft::TokenizedExample> random_examples(int64_t count, int64_t length, int64_t vocab) {
  std::vector<ft::TokenizedExample> examples(static_cast<size_t>(count));
  for (auto& e : examples) {
    const auto ids = torch::randint(vocab, {length}, torch::kLong);
    e.tokens.assign(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + length);
    e.completion.assign(static_cast<size_t>(length), 1);
  }
  return examples;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: method-step-bench FOLDER full|lora SEQ STEPS [RANK]\n");
    return 2;
  }
  try {
    const std::string folder = argv[1], method = argv[2];
    const int64_t seq = std::stoll(argv[3]), steps = std::stoll(argv[4]), rank = argc == 6 ? std::stoll(argv[5]) : 16;
    if ((method != "full" && method != "lora") || seq < 2 || steps < 2 || rank < 1) {
      std::fprintf(stderr, "method-step-bench: METHOD is full or lora, SEQ at least 2, STEPS at least 2, RANK at least 1\n");
      return 2;
    }
    ft::use_cpu_tensor_allocator();  // as the plugin does
    const ft::TensorMemoryRetention retention;
    auto model = load_for(folder, method == "lora", rank);
    const auto tokenizer = ft::Tokenizer::load_folder(folder);
    ft::TrainingOptions options;
    options.n_epochs = 1;
    options.batch_size = options.micro_batch_size = 1;
    options.max_seq_len = seq;
    ft::Trainer trainer(model, tokenizer, options, random_examples(steps, seq, model->config().vocab_size), {}, {});

    auto last = std::chrono::steady_clock::now();
    double later_steps_seconds = 0;
    ft::TrainingCallbacks callbacks;
    callbacks.on_step = [&](const ft::StepMetrics& m) {
      const auto now = std::chrono::steady_clock::now();
      if (m.step > 1) later_steps_seconds += std::chrono::duration<double>(now - last).count();
      std::printf("  step %lld: loss %.4f\n", static_cast<long long>(m.step), m.train_loss);
      std::fflush(stdout);
      last = now;
    };
    trainer.run(callbacks);
    std::printf("%s %s, micro-batch 1 x %lld: %.2f s per step (mean of steps 2-%lld), peak resident memory %.2f GB\n",
                folder.c_str(), method.c_str(), static_cast<long long>(seq), later_steps_seconds / double(steps - 1),
                static_cast<long long>(steps), peak_rss_gb());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "method-step-bench: %s\n", e.what());
    return 2;
  }
}
