#include "engine/tokenizer/hf_tokenizer_folder.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/json_document.h"
#include "engine/core/utf8_text.h"
#include "engine/tokenizer/tokenizer_json.h"

namespace ft {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;

// The files saved with the tokenizer, besides the one it is read from. The chat template goes
// with them (transformers 5 keeps it in its own file): the format the model was trained in.
constexpr const char* kCompanionFiles[] = {"tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
                                           "chat_template.jinja"};

Json read_optional_json(const fs::path& path) {
  if (!fs::exists(path)) return Json::object();
  auto json = read_json_file(path);
  return json.is_object() ? json : Json::object();
}

// tokenizer_config.json's "bos_token": "<s>" or {"content": "<s>", ...}; empty when absent.
std::string special_token_text(const Json& config, const char* key) {
  if (!config.contains(key)) return {};
  const auto& v = config.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v.at("content").is_string()) return v.at("content").get<std::string>();
  return {};
}

// config.json's id: a number, or a list whose first entry counts (Llama 3.1's eos_token_id).
int64_t config_id(const Json& config, const char* key) {
  if (!config.contains(key)) return -1;
  const auto& v = config.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_array() && !v.empty() && v[0].is_number_integer()) return v[0].get<int64_t>();
  return -1;
}

int64_t special_id(const HfTokenizer& tokenizer, const Json& tokenizer_config, const Json& special_map, const Json& model_config,
                   const char* token_key, const char* id_key, const fs::path& folder) {
  auto text = special_token_text(tokenizer_config, token_key);
  if (text.empty()) text = special_token_text(special_map, token_key);
  if (!text.empty()) {
    if (auto id = tokenizer.id_of(text)) return *id;
    throw Error(ErrorKind::invalid_input, (folder / "tokenizer_config.json").string() + ": " + token_key + " " + quoted_excerpt(text) +
                                              " is not a token of the tokenizer");
  }
  return config_id(model_config, id_key);
}

// The GPT-2 tokenizer's added tokens, as transformers builds them from tokenizer_config.json's
// special tokens when there is no tokenizer.json.
std::vector<AddedToken> special_tokens_of_vocab(const fs::path& vocab_json, const Json& tokenizer_config, const Json& special_map) {
  const auto vocab = read_json_file(vocab_json);
  std::vector<AddedToken> out;
  for (const char* key : {"bos_token", "eos_token", "unk_token", "pad_token"}) {
    auto text = special_token_text(tokenizer_config, key);
    if (text.empty()) text = special_token_text(special_map, key);
    if (text.empty() || !vocab.contains(text) || !vocab.at(text).is_number_integer()) continue;
    bool seen = false;
    for (const auto& t : out) seen = seen || t.content == text;
    if (seen) continue;
    AddedToken token;
    token.id = vocab.at(text).get<int64_t>();
    token.content = text;
    token.special = true;
    out.push_back(token);
  }
  return out;
}

}  // namespace

HfTokenizerFolder read_hf_tokenizer_folder(const fs::path& folder) {
  const auto tokenizer_config = read_optional_json(folder / "tokenizer_config.json");
  const auto special_map = read_optional_json(folder / "special_tokens_map.json");
  const auto model_config = read_optional_json(folder / "config.json");
  HfTokenizerFolder out;
  std::vector<std::string> names;
  if (fs::exists(folder / "tokenizer.json")) {
    out.tokenizer = std::make_shared<const HfTokenizer>(read_tokenizer_json(folder / "tokenizer.json"));
    names.push_back("tokenizer.json");
  } else {
    out.tokenizer = std::make_shared<const HfTokenizer>(read_vocab_and_merges(
        folder / "vocab.json", folder / "merges.txt", special_tokens_of_vocab(folder / "vocab.json", tokenizer_config, special_map)));
  }
  for (const char* name : kCompanionFiles) {
    if (fs::exists(folder / name)) names.push_back(name);
  }
  for (const auto& name : names) out.files.emplace_back(name, read_file_bytes(folder / name));
  const auto& t = *out.tokenizer;
  out.bos_id = special_id(t, tokenizer_config, special_map, model_config, "bos_token", "bos_token_id", folder);
  out.eos_id = special_id(t, tokenizer_config, special_map, model_config, "eos_token", "eos_token_id", folder);
  out.unk_id = special_id(t, tokenizer_config, special_map, model_config, "unk_token", "unk_token_id", folder);
  out.pad_id = special_id(t, tokenizer_config, special_map, model_config, "pad_token", "pad_token_id", folder);
  return out;
}

void write_hf_tokenizer_folder(const HfTokenizerFolder& tokenizer, const fs::path& folder) {
  for (const auto& [name, bytes] : tokenizer.files) write_file_atomically(folder / name, bytes);
}

}  // namespace ft
