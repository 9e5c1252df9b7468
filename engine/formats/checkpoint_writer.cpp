#include "engine/formats/checkpoint_writer.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/string_affixes.h"
#include "engine/formats/safetensors_writer.h"
#include "engine/models/lora.h"
#include "engine/tokenizer/hf_tokenizer_files.h"

#include <cstdio>
#include <set>

namespace ft {
namespace {

namespace fs = std::filesystem;

std::vector<NamedTensors> split_into_shards(const CausalLM& model, const CheckpointWriteOptions& options) {
  std::vector<NamedTensors> shards(1);
  uint64_t shard_bytes = 0;
  for (const auto& p : model.named_parameters(true)) {
    if (is_lora_parameter(p.key())) continue;  // adapters are written in PEFT's format (peft_adapter.h)
    auto t = p.value().detach().to(options.dtype);
    const uint64_t bytes = t.numel() * t.element_size();
    if (shard_bytes > 0 && shard_bytes + bytes > options.max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().emplace_back(p.key(), std::move(t));
    shard_bytes += bytes;
  }
  return shards;
}

std::string shard_name(size_t index, size_t count) {
  char name[64];
  std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", index + 1, count);
  return name;
}

std::string dtype_config_name(torch::ScalarType dtype) {
  if (dtype == torch::kHalf) return "float16";
  if (dtype == torch::kBFloat16) return "bfloat16";
  if (dtype == torch::kFloat) return "float32";
  throw Error(ErrorKind::invalid_argument, std::string("checkpoints are written in F32, F16 or BF16, not ") + c10::toString(dtype));
}

void remove_stale_weights(const fs::path& folder, const std::set<std::string>& written) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    const auto name = entry.path().filename().string();
    const bool shard = starts_with(name, "model") && ends_with(name, ".safetensors");
    const bool weights = shard || name == "model.safetensors.index.json";
    if (weights && !written.count(name)) fs::remove(entry.path());
  }
}

}  // namespace

void write_checkpoint(const fs::path& folder, const CausalLM& model, const Tokenizer& tokenizer,
                      const CheckpointWriteOptions& options) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(ErrorKind::io, folder.string() + ": cannot create folder (" + ec.message() + ")");

  auto config = to_hf_config_json(model.config());
  config["torch_dtype"] = config["dtype"] = dtype_config_name(options.dtype);
  write_file_atomically(folder / "config.json", config.dump(2) + "\n");
  nlohmann::json generation = {{"_from_model_config", true}};
  if (model.config().bos_token_id >= 0) generation["bos_token_id"] = model.config().bos_token_id;
  if (model.config().eos_token_id >= 0) generation["eos_token_id"] = model.config().eos_token_id;
  write_file_atomically(folder / "generation_config.json", generation.dump(2) + "\n");
  tokenizer.save(folder, model.config().max_position_embeddings);

  const auto shards = split_into_shards(model, options);
  std::set<std::string> written;
  if (shards.size() == 1) {
    write_safetensors(folder / "model.safetensors", shards[0]);
    written.insert("model.safetensors");
  } else {
    nlohmann::json weight_map = nlohmann::json::object();
    uint64_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      const auto name = shard_name(i, shards.size());
      write_safetensors(folder / name, shards[i]);
      written.insert(name);
      for (const auto& [tensor_name, t] : shards[i]) {
        weight_map[tensor_name] = name;
        total += t.numel() * t.element_size();
      }
    }
    nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
    write_file_atomically(folder / "model.safetensors.index.json", index.dump(2) + "\n");
    written.insert("model.safetensors.index.json");
  }
  remove_stale_weights(folder, written);
}

}  // namespace ft
