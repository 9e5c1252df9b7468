// The chunked loss against the plain formula: the same loss, accuracy counts and gradients,
// whatever the chunking, for untied and tied heads and for a model with adapters.
#include "engine/formats/checkpoint_reader.h"
#include "engine/models/lora.h"
#include "engine/training/weighted_token_loss.h"
#include "tests/catch.h"

#include <map>

namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string& name) { return fs::path(FT_FIXTURES) / "hf" / name; }

// Three examples of different lengths, packed into rows of 24 with prompt tokens weighted 0.1.
ft::PackedBatch packed_batch(int64_t vocab) {
  std::vector<ft::TokenizedExample> examples(3);
  for (size_t e = 0; e < examples.size(); ++e) {
    const size_t length = 7 + 5 * e;
    for (size_t i = 0; i < length; ++i) {
      examples[e].tokens.push_back(static_cast<int64_t>((17 * e + 5 * i + 3) % static_cast<size_t>(vocab)));
      examples[e].completion.push_back(i >= length / 2 ? 1 : 0);
    }
  }
  std::vector<const ft::TokenizedExample*> pointers;
  for (const auto& e : examples) pointers.push_back(&e);
  return ft::pack_examples(pointers, 24, 0.1);
}

std::map<std::string, torch::Tensor> gradients_of(ft::CausalLM& model) {
  std::map<std::string, torch::Tensor> grads;
  for (const auto& p : model.named_parameters()) {
    if (p.value().grad().defined()) grads[p.key()] = p.value().grad().clone();
  }
  return grads;
}

ft::ModelInput input_of(const ft::PackedBatch& b) { return ft::ModelInput(b.input_ids, b.position_ids, b.segment_ids); }

// In eval mode, since dropout would draw differently in a different order of operations;
// gradients flow all the same.
void check_against_plain(ft::CausalLM& model) {
  model.eval();
  const auto batch = packed_batch(model.config().vocab_size);
  const double scale = 0.25;
  model.zero_grad();
  torch::manual_seed(1);
  const auto plain = ft::weighted_token_loss(model.forward(input_of(batch)), batch);
  (plain.weighted_loss * scale).backward();
  const auto plain_grads = gradients_of(model);
  REQUIRE(!plain_grads.empty());

  for (int64_t chunk : {1, 5, 24, 1000}) {
    INFO("chunk of " << chunk << " positions");
    model.zero_grad();
    torch::manual_seed(1);
    const auto chunked = ft::chunked_token_loss(model, model.final_hidden(input_of(batch)), batch, {chunk, scale});
    CHECK(chunked.weighted_loss.item<double>() == Approx(plain.weighted_loss.item<double>()).epsilon(1e-6));
    CHECK(chunked.weight == plain.weight);
    CHECK(chunked.correct_completion == plain.correct_completion);
    CHECK(chunked.completion == plain.completion);
    const auto grads = gradients_of(model);
    CHECK(grads.size() == plain_grads.size());
    for (const auto& [name, g] : plain_grads) {
      INFO(name);
      REQUIRE(grads.count(name));
      CHECK((grads.at(name) - g).abs().max().item<double>() <= 1e-5 * std::max(1.0, g.abs().max().item<double>()));
    }
    torch::NoGradGuard no_grad;
    const auto evaluated = ft::chunked_token_loss(model, model.final_hidden(input_of(batch)), batch, {chunk, std::nullopt});
    CHECK(evaluated.weighted_loss.item<double>() == Approx(plain.weighted_loss.item<double>()).epsilon(1e-6));
    // Evaluation also sums the completion targets' loss alone (what epoch selection compares).
    CHECK(plain.completion_loss > 0);
    CHECK(evaluated.completion_loss == Approx(plain.completion_loss).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("the chunked loss equals the plain formula: loss, accuracy and every gradient", "[loss]") {
  for (const char* name : {"tiny-llama", "tiny-gpt2"}) {
    INFO(name);
    auto model = ft::load_causal_lm(fixture(name));
    check_against_plain(*model);
  }
}

TEST_CASE("the chunked loss equals the plain formula for a model with adapters, the head's included", "[loss][lora]") {
  auto model = ft::load_causal_lm(fixture("tiny-llama"));
  ft::LoraSettings s;
  s.rank = 4;
  s.alpha = 8;
  s.target_modules = ft::adaptable_module_names(*model);  // lm_head too
  ft::attach_lora(*model, s, 2);
  {
    torch::NoGradGuard no_grad;
    for (const auto& a : ft::lora_adapters(*model)) a.adapter->lora_B->weight.fill_(0.02);
  }
  check_against_plain(*model);
}

TEST_CASE("a chunk holds about 32M logits, at least one position", "[loss]") {
  CHECK(ft::loss_chunk_positions(32000) == 1048);
  CHECK(ft::loss_chunk_positions(151936) == 220);
  CHECK(ft::loss_chunk_positions(int64_t(1) << 30) == 1);
}
