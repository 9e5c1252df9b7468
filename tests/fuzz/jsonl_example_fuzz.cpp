// A JSON Lines training file: read, validated and tokenized as load_training_data does for a job,
// with the engine's generic chat layout and with a ChatML template. Each problem it reports must
// be short; the whole report is capped by the number of problems it lists.
#include "engine/data/training_data.h"
#include "tests/fuzz/fuzz_checks.h"

#include <unistd.h>

#include <fstream>

namespace {

// tiny-llama's sentencepiece tokenizer, read once.
const ft::Tokenizer& tokenizer() {
  static const ft::Tokenizer loaded = ft::Tokenizer::load(FT_FIXTURES "/hf/tiny-llama/tokenizer.model");
  return loaded;
}

const ft::ChatTemplate& chatml() {
  static const ft::ChatTemplate chat(
      "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
      "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
      "<s>", "</s>");
  return chat;
}

// Small limits, so that short inputs reach the too-long and too-deep paths.
const ft::DataLimits kLimits{1u << 20, 2048, 8, 50};
constexpr size_t kMaxReportBytes = 60 + 50 * 330;

void load(const std::filesystem::path& file, const ft::ChatTemplate* chat) {
  ft::fuzz::parse_or_refuse(
      [&] {
        try {
          ft::load_training_data(file, ft::ExampleEncoding(tokenizer(), chat), 64, "training_file", kLimits);
        } catch (const ft::DataValidationError& e) {
          for (const auto& problem : e.problems()) ft::fuzz::check_message(problem.message, 303);
          throw;
        }
      },
      kMaxReportBytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ft-fuzz-" + std::to_string(getpid()) + ".jsonl");
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  load(file, nullptr);
  load(file, &chatml());
  return 0;
}
