#include "engine/models/causal_lm.h"

#include "tests/catch.h"

#include <string>
#include <vector>

namespace {

// A two-layer model of `architecture` with random weights; `variation` adds what makes the
// architecture's attention differ (grouped-query heads, a sliding window, soft-capping).
std::shared_ptr<ft::CausalLM> small_model(ft::Architecture architecture, const std::string& variation) {
  ft::ModelConfig c;
  c.architecture = architecture;
  c.vocab_size = 50, c.hidden_size = 32, c.num_layers = 2, c.num_heads = 4, c.num_kv_heads = 4, c.head_dim = 8;
  c.intermediate_size = 48, c.max_position_embeddings = 64;
  c.activation = architecture == ft::Architecture::gpt2 ? "gelu_new" : "silu";
  if (variation == "grouped") c.num_kv_heads = 2;
  if (variation == "sliding") c.sliding_window = 3, c.sliding_layers = {true, false};
  if (variation == "qk-norm") c.qk_norm = true;
  if (variation == "softcap") {
    c.attention_softcap = 50, c.final_softcap = 30, c.query_pre_attn_scalar = 8;
    c.sliding_window = 4, c.sliding_layers = {true, false};
  }
  auto model = ft::make_causal_lm(c);
  torch::NoGradGuard no_grad;
  auto random = at::detail::createCPUGenerator(7);
  for (auto& p : model->parameters()) p.normal_(0, 0.3, random);
  model->eval();
  return model;
}

// The logits at every position, computed the way generation does: the first `prompt` tokens at
// once, then one token a step through the cache.
torch::Tensor cached_logits(ft::CausalLM& model, const torch::Tensor& ids, int64_t prompt) {
  ft::KeyValueCache cache;
  std::vector<torch::Tensor> logits;
  for (int64_t start = 0; start < ids.size(1);) {
    const int64_t length = start == 0 ? prompt : 1;
    ft::ModelInput input(ids.slice(1, start, start + length));
    input.cache = &cache;
    logits.push_back(model.forward(input));
    start += length;
    CHECK(cache.length() == start);
  }
  return torch::cat(logits, 1);
}

}  // namespace

TEST_CASE("Decoding through the key/value cache gives the logits of the whole text at once", "[models][cache]") {
  const std::vector<std::pair<ft::Architecture, std::string>> cases = {
      {ft::Architecture::llama, "grouped"}, {ft::Architecture::mistral, "sliding"},
      {ft::Architecture::qwen3, "qk-norm"}, {ft::Architecture::phi3, ""},
      {ft::Architecture::gemma2, "softcap"}, {ft::Architecture::gpt2, ""}};
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(50, {1, 12}, at::detail::createCPUGenerator(3), torch::kLong);
  for (const auto& [architecture, variation] : cases) {
    INFO(ft::architecture_class_name(architecture) << " " << variation);
    auto model = small_model(architecture, variation);
    const auto whole = model->forward(ft::ModelInput(ids));
    const auto cached = cached_logits(*model, ids, 5);
    REQUIRE(cached.sizes() == whole.sizes());
    CHECK((cached - whole).abs().max().item<double>() < 1e-5);
  }
}

TEST_CASE("A forward pass into an empty cache equals one without a cache", "[models][cache]") {
  torch::NoGradGuard no_grad;
  auto model = small_model(ft::Architecture::llama, "grouped");
  const auto ids = torch::randint(50, {1, 6}, at::detail::createCPUGenerator(4), torch::kLong);
  ft::KeyValueCache cache;
  ft::ModelInput input(ids);
  input.cache = &cache;
  CHECK((model->forward(input) - model->forward(ft::ModelInput(ids))).abs().max().item<double>() == 0);
  CHECK(cache.length() == 6);
}
