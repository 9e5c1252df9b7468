#include "engine/formats/checkpoint_reader.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/models/lora.h"

#include <map>
#include <set>
#include <sstream>

namespace ft {
namespace {

namespace fs = std::filesystem;

std::string shape_text(c10::IntArrayRef shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

// At most `limit` names, then "and N more".
std::string name_list(const std::vector<std::string>& names, size_t limit = 5) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < limit; ++i) text += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

[[noreturn]] void refuse_pickle(const fs::path& folder) {
  for (const char* pickle : {"pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.pth"}) {
    if (fs::exists(folder / pickle)) {
      throw Error(ErrorKind::unsupported,
                  (folder / pickle).string() +
                      ": pickle checkpoints are refused because loading them can run arbitrary code; "
                      "convert the checkpoint to safetensors (transformers: save_pretrained(..., safe_serialization=True))");
    }
  }
  throw Error(ErrorKind::not_found, folder.string() + ": no model.safetensors or model.safetensors.index.json in the folder");
}

std::vector<SafetensorsReader> open_sharded(const fs::path& folder, const fs::path& index_path) {
  auto index = read_json_file(index_path, {64u << 20, 8});
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    throw Error(ErrorKind::invalid_input, index_path.string() + ": no \"weight_map\" object");
  }
  std::map<std::string, std::vector<std::string>> names_by_file;
  for (const auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string()) throw Error(ErrorKind::invalid_input, index_path.string() + ": weight_map entry '" + name + "' is not a file name");
    const auto file_name = file.get<std::string>();
    // The index is untrusted: a shard must be a plain file name inside this folder.
    if (file_name.empty() || file_name.find('/') != std::string::npos || file_name == "." || file_name == "..") {
      throw Error(ErrorKind::invalid_input, index_path.string() + ": shard name \"" + file_name + "\" is not a file in the folder");
    }
    names_by_file[file_name].push_back(name);
  }
  std::vector<SafetensorsReader> shards;
  for (const auto& [file_name, names] : names_by_file) {
    shards.emplace_back(folder / file_name);
    for (const auto& name : names) {
      if (!shards.back().find(name)) {
        throw Error(ErrorKind::invalid_input, index_path.string() + ": lists tensor '" + name + "' in " + file_name +
                                                  ", which has no such tensor");
      }
    }
  }
  return shards;
}

}  // namespace

std::vector<SafetensorsReader> open_checkpoint_weights(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw Error(ErrorKind::not_found, folder.string() + ": no such checkpoint folder");
  const auto index = folder / "model.safetensors.index.json";
  if (fs::exists(index)) return open_sharded(folder, index);
  std::vector<SafetensorsReader> single;
  if (fs::exists(folder / "model.safetensors")) {
    single.emplace_back(folder / "model.safetensors");
    return single;
  }
  refuse_pickle(folder);
}

void load_weights(const std::vector<SafetensorsReader>& weights, CausalLM& model) {
  struct Source {
    const SafetensorsReader* file;
    const SafetensorsEntry* entry;
  };
  std::map<std::string, Source> available;
  for (const auto& file : weights) {
    for (const auto& entry : file.entries()) {
      const auto name = model.canonical_name(entry.name);
      if (model.ignores_checkpoint_tensor(name)) continue;
      if (!available.emplace(name, Source{&file, &entry}).second) {
        throw Error(ErrorKind::invalid_input, file.path().string() + ": tensor '" + entry.name + "' appears in more than one file");
      }
    }
  }
  const auto where = weights.empty() ? std::string("checkpoint") : weights.front().path().parent_path().string();
  // The base model's parameters; LoRA adapters, when attached, come from an adapter folder.
  torch::OrderedDict<std::string, torch::Tensor> parameters;
  for (const auto& p : model.named_parameters(true)) {
    if (!is_lora_parameter(p.key())) parameters.insert(p.key(), p.value());
  }
  std::vector<std::string> missing, unexpected;
  for (const auto& p : parameters) {
    if (!available.count(p.key())) missing.push_back(p.key());
  }
  for (const auto& [name, source] : available) {
    if (!parameters.contains(name)) unexpected.push_back(source.entry->name);
  }
  if (!missing.empty()) {
    throw Error(ErrorKind::invalid_input, where + ": missing tensor" + (missing.size() > 1 ? "s " : " ") + name_list(missing) +
                                              " that config.json's model needs");
  }
  if (!unexpected.empty()) {
    throw Error(ErrorKind::invalid_input, where + ": unexpected tensor" + (unexpected.size() > 1 ? "s " : " ") +
                                              name_list(unexpected) + " that config.json's model does not have");
  }
  torch::NoGradGuard no_grad;
  for (auto& p : parameters) {
    const auto& source = available.at(p.key());
    const auto& entry = *source.entry;
    if (c10::IntArrayRef(entry.shape) != p.value().sizes()) {
      throw Error(ErrorKind::invalid_input, source.file->path().string() + ": tensor '" + entry.name + "' has shape " +
                                                shape_text(entry.shape) + " but config.json's model needs " +
                                                shape_text(p.value().sizes()));
    }
    if (!c10::isFloatingType(entry.dtype)) {
      throw Error(ErrorKind::invalid_input, source.file->path().string() + ": tensor '" + entry.name + "' holds " +
                                                c10::toString(entry.dtype) + ", but weights must be floating point");
    }
    p.value().copy_(source.file->read(entry.name));
  }
}

torch::ScalarType stored_matrix_dtype(const std::vector<SafetensorsReader>& weights) {
  for (const auto& file : weights) {
    for (const auto& entry : file.entries()) {
      if (entry.shape.size() >= 2 && c10::isFloatingType(entry.dtype)) return entry.dtype;
    }
  }
  return torch::kFloat;
}

std::shared_ptr<CausalLM> load_causal_lm(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw Error(ErrorKind::not_found, folder.string() + ": no such checkpoint folder");
  auto model = make_causal_lm(read_model_config(folder / "config.json"));
  load_weights(open_checkpoint_weights(folder), *model);
  return model;
}

}  // namespace ft
