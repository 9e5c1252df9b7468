#include "engine/core/error.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/formats/checkpoint_writer.h"
#include "engine/formats/safetensors_writer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <fstream>

namespace fs = std::filesystem;
using ft::testing::TempFolder;

namespace {

const fs::path kLlama = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";
const fs::path kGpt2 = fs::path(FT_FIXTURES) / "hf" / "tiny-gpt2";

// A copy of a fixture checkpoint (without its reference files) that a test may spoil.
fs::path copy_checkpoint(const fs::path& from, const TempFolder& dir) {
  const auto to = dir / from.filename().string();
  fs::create_directories(to);
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.model"}) fs::copy_file(from / f, to / f);
  return to;
}

// Rewrites a checkpoint's weights through `edit`, which may add, drop or change tensors.
void edit_weights(const fs::path& folder, const std::function<void(ft::NamedTensors&)>& edit) {
  ft::SafetensorsReader reader(folder / "model.safetensors");
  ft::NamedTensors tensors;
  for (const auto& e : reader.entries()) tensors.emplace_back(e.name, reader.read(e.name));
  edit(tensors);
  ft::write_safetensors(folder / "model.safetensors", tensors);
}

void edit_config(const fs::path& folder, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json config;
  std::ifstream(folder / "config.json") >> config;
  edit(config);
  std::ofstream(folder / "config.json") << config.dump();
}

// The ft::Error that loading `folder` throws.
ft::Error load_error(const fs::path& folder) {
  try {
    ft::load_causal_lm(folder);
  } catch (const ft::Error& e) {
    return e;
  }
  FAIL("loading did not fail");
  throw;
}

torch::Tensor logits_of(ft::CausalLM& model) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward(ft::ModelInput(torch::arange(3, 40, torch::kLong).view({1, -1})));
}

}  // namespace

TEST_CASE("saving and reloading gives identical tensors and logits", "[checkpoint]") {
  for (const auto& fixture : {kLlama, kGpt2}) {
    TempFolder dir;
    auto model = ft::load_causal_lm(fixture);
    auto tokenizer = ft::Tokenizer::load(fixture / "tokenizer.model");
    ft::write_checkpoint(dir.path(), *model, tokenizer);
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "tokenizer.model"}) {
      CHECK(fs::exists(dir / f));
    }
    auto reloaded = ft::load_causal_lm(dir.path());
    auto reloaded_params = reloaded->named_parameters();
    for (const auto& p : model->named_parameters()) CHECK(torch::equal(p.value(), reloaded_params[p.key()]));
    CHECK(torch::equal(logits_of(*model), logits_of(*reloaded)));
    CHECK(ft::Tokenizer::load(dir / "tokenizer.model").encode("copy and distribute") ==
          tokenizer.encode("copy and distribute"));
  }
}

TEST_CASE("sharded checkpoints load like single files", "[checkpoint]") {
  TempFolder dir;
  auto model = ft::load_causal_lm(kLlama);
  ft::CheckpointWriteOptions sharded;
  sharded.max_shard_bytes = 200'000;
  ft::write_checkpoint(dir.path(), *model, ft::Tokenizer::load(kLlama / "tokenizer.model"), sharded);
  CHECK(fs::exists(dir / "model.safetensors.index.json"));
  CHECK(fs::exists(dir / "model-00001-of-00004.safetensors"));
  CHECK_FALSE(fs::exists(dir / "model.safetensors"));
  CHECK(torch::equal(logits_of(*model), logits_of(*ft::load_causal_lm(dir.path()))));
}

TEST_CASE("F16 and BF16 checkpoints load as the rounded weights", "[checkpoint]") {
  auto model = ft::load_causal_lm(kGpt2);
  for (auto dtype : {torch::kHalf, torch::kBFloat16}) {
    TempFolder dir;
    ft::CheckpointWriteOptions narrow;
    narrow.dtype = dtype;
    ft::write_checkpoint(dir.path(), *model, ft::Tokenizer::load(kGpt2 / "tokenizer.model"), narrow);
    auto reloaded = ft::load_causal_lm(dir.path());
    auto params = reloaded->named_parameters();
    for (const auto& p : model->named_parameters()) {
      CHECK(params[p.key()].scalar_type() == torch::kFloat);
      CHECK(torch::equal(params[p.key()], p.value().to(dtype).to(torch::kFloat)));
    }
  }
}

TEST_CASE("GPT-2 checkpoints without the transformer. prefix load", "[checkpoint]") {
  TempFolder dir;
  auto folder = copy_checkpoint(kGpt2, dir);
  edit_weights(folder, [](ft::NamedTensors& tensors) {
    for (auto& [name, t] : tensors) name = name.substr(std::string("transformer.").size());
    tensors.emplace_back("h.0.attn.bias", torch::ones({1, 1, 128, 128}));  // an old causal-mask buffer
  });
  CHECK(torch::equal(logits_of(*ft::load_causal_lm(folder)), logits_of(*ft::load_causal_lm(kGpt2))));
}

TEST_CASE("checkpoint problems give an error naming the folder, file and tensor", "[checkpoint]") {
  TempFolder dir;
  auto folder = copy_checkpoint(kLlama, dir);
  SECTION("a missing tensor") {
    edit_weights(folder, [](ft::NamedTensors& t) { t.erase(t.begin() + 3); });
    auto e = load_error(folder);
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(folder.string()) && Catch::Matchers::Contains("missing tensor 'model.layers.0.mlp.down_proj.weight'"));
  }
  SECTION("an unexpected tensor") {
    edit_weights(folder, [](ft::NamedTensors& t) { t.emplace_back("model.layers.7.mlp.up_proj.weight", torch::zeros({2})); });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("unexpected tensor 'model.layers.7.mlp.up_proj.weight'"));
  }
  SECTION("a tensor of the wrong shape") {
    edit_weights(folder, [](ft::NamedTensors& t) { t[0].second = torch::zeros({512, 32}); });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("model.safetensors: tensor 'lm_head.weight' has shape [512, 32]") &&
                                              Catch::Matchers::Contains("needs [512, 64]"));
  }
  SECTION("an integer tensor where a weight belongs") {
    edit_weights(folder, [](ft::NamedTensors& t) { t[0].second = torch::zeros({512, 64}, torch::kInt); });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("must be floating point"));
  }
  SECTION("a pickle checkpoint is refused, never unpickled") {
    fs::remove(folder / "model.safetensors");
    std::ofstream(folder / "pytorch_model.bin") << "\x80\x02}q\x00.";
    auto e = load_error(folder);
    CHECK(e.kind() == ft::ErrorKind::unsupported);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("pytorch_model.bin: pickle checkpoints are refused"));
  }
  SECTION("no weights at all") {
    fs::remove(folder / "model.safetensors");
    CHECK(load_error(folder).kind() == ft::ErrorKind::not_found);
  }
  SECTION("a missing folder") {
    CHECK_THAT(load_error(folder / "nowhere").what(), Catch::Matchers::Contains("no such checkpoint folder"));
  }
  SECTION("a shard index pointing outside the folder") {
    std::ofstream(folder / "model.safetensors.index.json") << R"({"weight_map": {"lm_head.weight": "../model.safetensors"}})";
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("is not a file in the folder"));
  }
  SECTION("a shard index naming a tensor its shard lacks") {
    std::ofstream(folder / "model.safetensors.index.json") << R"({"weight_map": {"lm_head.weights": "model.safetensors"}})";
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("lists tensor 'lm_head.weights' in model.safetensors"));
  }
}

TEST_CASE("config.json problems name the file and the field", "[checkpoint][config]") {
  TempFolder dir;
  auto folder = copy_checkpoint(kLlama, dir);
  SECTION("a missing field") {
    edit_config(folder, [](nlohmann::json& c) { c.erase("hidden_size"); });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("config.json: field \"hidden_size\" is missing"));
  }
  SECTION("a wrong-typed field") {
    edit_config(folder, [](nlohmann::json& c) { c["num_hidden_layers"] = "2"; });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("field \"num_hidden_layers\" must be an integer, found \"2\""));
  }
  SECTION("a wrong-typed nested field") {
    edit_config(folder, [](nlohmann::json& c) { c["rope_parameters"]["rope_theta"] = true; });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("field \"rope_theta\" must be a number"));
  }
  SECTION("an unsupported architecture") {
    edit_config(folder, [](nlohmann::json& c) { c["architectures"] = {"BertForMaskedLM"}; });
    const auto e = load_error(folder);
    CHECK(e.kind() == ft::ErrorKind::unsupported);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("\"BertForMaskedLM\" is not supported (supported: LlamaForCausalLM, "
                                                   "MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, "
                                                   "Phi3ForCausalLM, Gemma2ForCausalLM, GPT2LMHeadModel)"));
  }
  SECTION("layer types that do not match the layers") {
    edit_config(folder, [](nlohmann::json& c) { c["layer_types"] = {"full_attention"}; });
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("field \"layer_types\" must list one type per layer (2)"));
  }
  SECTION("not JSON") {
    std::ofstream(folder / "config.json") << "{\"vocab_size\": 512,";
    CHECK_THAT(load_error(folder).what(), Catch::Matchers::Contains("config.json: not valid JSON"));
  }
  SECTION("missing") {
    fs::remove(folder / "config.json");
    CHECK(load_error(folder).kind() == ft::ErrorKind::not_found);
  }
}

TEST_CASE("transformers 4 and 5 spell rope_theta differently and mean the same", "[config]") {
  auto v5 = ft::read_model_config(kLlama / "config.json");
  auto doc = v5.source;
  doc.erase("rope_parameters");
  doc["rope_theta"] = 500000.0;
  auto v4 = ft::parse_model_config(doc, "config.json");
  CHECK(v5.rope_theta == 10000.0);
  CHECK(v4.rope_theta == 500000.0);
  CHECK(v5.num_kv_heads == 2);
  CHECK(v5.head_dim == 16);
  // What the engine writes reads back the same in either spelling.
  auto written = ft::to_hf_config_json(v4);
  CHECK(written["rope_theta"] == 500000.0);
  CHECK(written["rope_parameters"]["rope_theta"] == 500000.0);
  CHECK(ft::parse_model_config(written, "written").rope_theta == 500000.0);
}
