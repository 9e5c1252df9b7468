#include "engine/models/architecture_presets.h"

#include "engine/core/error.h"
#include "tests/catch.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace {

struct Table21Row {
  const char* preset;
  double parameters;
  int64_t layers;
  int64_t d_model;
};

// Brown et al. 2020, Table 2.1, with 13B's d_model corrected from 5140 to 40 x 128.
constexpr Table21Row table_2_1[] = {
    {"gpt3-small", 125e6, 12, 768},   {"gpt3-medium", 350e6, 24, 1024}, {"gpt3-large", 760e6, 24, 1536},
    {"gpt3-xl", 1.3e9, 24, 2048},     {"gpt3-2.7b", 2.7e9, 32, 2560},   {"gpt3-6.7b", 6.7e9, 32, 4096},
    {"gpt3-13b", 13.0e9, 40, 5120},   {"gpt3-175b", 175.0e9, 96, 12288},
};

}  // namespace

TEST_CASE("GPT-3 presets count the parameters of Table 2.1 within 3%", "[presets]") {
  for (const auto& row : table_2_1) {
    INFO(row.preset);
    const auto config = ft::architecture_preset(row.preset, ft::gpt3_vocab_size);
    REQUIRE(config.has_value());
    const double count = static_cast<double>(ft::parameter_count(*config));
    INFO("counted " << count << ", table " << row.parameters);
    CHECK(std::abs(count - row.parameters) / row.parameters < 0.03);
  }
}

TEST_CASE("GPT-3 presets have GPT-3's shape", "[presets]") {
  for (const auto& row : table_2_1) {
    INFO(row.preset);
    const ft::ModelConfig c = *ft::architecture_preset(row.preset, ft::gpt3_vocab_size);
    CHECK(c.architecture == ft::Architecture::gpt2);
    CHECK(c.vocab_size == 50257);
    CHECK(c.max_position_embeddings == 2048);
    CHECK(c.num_layers == row.layers);
    CHECK(c.hidden_size == row.d_model);
    CHECK(c.intermediate_size == 4 * row.d_model);
    CHECK(c.tie_word_embeddings);
    CHECK(c.num_heads * c.head_dim == c.hidden_size);
  }
  // The two rows the table prints inconsistently.
  CHECK(ft::architecture_preset("gpt3-xl", ft::gpt3_vocab_size)->head_dim == 128);
  CHECK(ft::architecture_preset("gpt3-13b", ft::gpt3_vocab_size)->num_heads == 40);
}

TEST_CASE("Tiny presets take the tokenizer's vocabulary", "[presets]") {
  const ft::ModelConfig llama = *ft::architecture_preset("tiny-llama", 300);
  CHECK(llama.architecture == ft::Architecture::llama);
  CHECK(llama.vocab_size == 300);
  CHECK(llama.hidden_size == 64);
  CHECK(llama.num_layers == 2);
  CHECK(llama.num_heads == 4);
  CHECK(llama.num_kv_heads == 2);
  CHECK(llama.head_dim == 16);
  CHECK(llama.intermediate_size == 176);
  CHECK(llama.max_position_embeddings == 256);

  const ft::ModelConfig gpt2 = *ft::architecture_preset("tiny-gpt2", 1000);
  CHECK(gpt2.architecture == ft::Architecture::gpt2);
  CHECK(gpt2.vocab_size == 1000);
  CHECK(gpt2.num_heads * gpt2.head_dim == gpt2.hidden_size);
  CHECK(gpt2.max_position_embeddings == 256);
}

TEST_CASE("Small Llama presets have about 2M and 10M parameters with a 4096-token vocabulary", "[presets]") {
  const ft::ModelConfig two = *ft::architecture_preset("small-llama-2m", 4096);
  const ft::ModelConfig ten = *ft::architecture_preset("small-llama-10m", 4096);
  CHECK(ft::parameter_count(two) == 2410176);
  CHECK(ft::parameter_count(ten) == 11309952);
  for (const auto& c : {two, ten}) {
    CHECK(c.architecture == ft::Architecture::llama);
    CHECK(c.tie_word_embeddings);
    CHECK(c.num_heads * c.head_dim == c.hidden_size);
    CHECK(c.max_position_embeddings == 512);
  }
}

TEST_CASE("A preset config is what config.json parsing would give back", "[presets]") {
  for (const std::string& name : ft::architecture_preset_names()) {
    INFO(name);
    const ft::ModelConfig preset = *ft::architecture_preset(name, 512);
    const ft::ModelConfig reread = ft::parse_model_config(ft::to_hf_config_json(preset), name);
    CHECK(ft::parameter_count(reread) == ft::parameter_count(preset));
    CHECK(reread.num_heads == preset.num_heads);
    CHECK(reread.head_dim == preset.head_dim);
  }
}

TEST_CASE("Every listed preset exists and unknown names do not", "[presets]") {
  CHECK(ft::architecture_preset_names().size() == 12);
  for (const std::string& name : ft::architecture_preset_names()) CHECK(ft::architecture_preset(name, 512).has_value());
  CHECK_FALSE(ft::architecture_preset("gpt3-huge", 512).has_value());
  CHECK_THROWS_AS(ft::architecture_preset("tiny-llama", 0), ft::Error);
}
