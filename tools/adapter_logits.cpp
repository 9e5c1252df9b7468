// adapter-logits MODEL ADAPTER IDS OUT: the engine's logits for a Hugging Face folder with a
// PEFT LoRA adapter folder on top (ADAPTER "-": the model alone), for the LoRA oracle
// (tests/oracle/lora_round_trip.py). IDS is a .safetensors file with "input_ids" [batch, time]
// (int64); OUT receives "logits" [batch, time, vocab] in fp32.
// Exits 0 on success, 2 when a file cannot be read or written.
#include "engine/core/error.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/peft_adapter.h"
#include "engine/formats/safetensors_reader.h"
#include "engine/formats/safetensors_writer.h"

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: adapter-logits MODEL ADAPTER|- IDS.safetensors OUT.safetensors\n");
    return 2;
  }
  try {
    auto model = ft::load_causal_lm(argv[1]);
    if (std::string(argv[2]) != "-") ft::load_peft_adapter(argv[2], *model);
    model->eval();
    const auto ids = ft::SafetensorsReader(argv[3]).read("input_ids").to(torch::kLong);
    torch::NoGradGuard no_grad;
    const auto logits = model->forward(ft::ModelInput(ids)).to(torch::kFloat);
    ft::write_safetensors(argv[4], {{"logits", logits}});
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "adapter-logits: %s\n", e.what());
    return 2;
  }
}
