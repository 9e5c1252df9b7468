// What AutoTokenizer reads is checked live against transformers by tests/oracle/round_trip.py;
// these are the invariants a checkout without the oracles can still check.
#include "engine/tokenizer/hf_tokenizer_files.h"
#include "tests/catch.h"

#include <map>

namespace fs = std::filesystem;

namespace {
const fs::path kFixture = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";
}

TEST_CASE("tokenizer.json holds every piece and merges ranked by the merged piece's score", "[tokenizer][hf]") {
  const auto tokenizer = ft::Tokenizer::load(kFixture / "tokenizer.model");
  const auto json = ft::hf_tokenizer_json(tokenizer);
  const auto& vocab = json.at("model").at("vocab");
  REQUIRE(static_cast<int64_t>(vocab.size()) == tokenizer.vocab_size());
  for (int64_t id = 0; id < tokenizer.vocab_size(); ++id) CHECK(vocab.at(tokenizer.piece(id)) == id);
  CHECK(json.at("model").at("byte_fallback") == tokenizer.model().byte_fallback);

  const auto& merges = json.at("model").at("merges");
  REQUIRE(merges.size() > 100);
  float previous = std::numeric_limits<float>::infinity();
  for (const auto& merge : merges) {
    const auto left = merge[0].get<std::string>(), right = merge[1].get<std::string>();
    REQUIRE(vocab.contains(left));
    REQUIRE(vocab.contains(right));
    REQUIRE(vocab.contains(left + right));
    const float score = tokenizer.model().pieces[vocab.at(left + right).get<size_t>()].score;
    CHECK(score <= previous);
    previous = score;
  }
}

TEST_CASE("tokenizer.json spells the sentencepiece normalizer and puts BOS in front", "[tokenizer][hf]") {
  const auto tokenizer = ft::Tokenizer::load(kFixture / "tokenizer.model");
  const auto json = ft::hf_tokenizer_json(tokenizer);
  std::vector<std::string> steps;
  for (const auto& step : json.at("normalizer").at("normalizers")) steps.push_back(step.at("type"));
  // The fixture is nmt_nfkc with a dummy prefix and extra whitespace removed.
  CHECK(steps == std::vector<std::string>{"Precompiled", "Replace", "Replace", "Prepend", "Replace"});
  const auto& single = json.at("post_processor").at("single");
  CHECK(single[0].at("SpecialToken").at("id") == tokenizer.piece(tokenizer.bos_id()));

  const auto config = ft::hf_tokenizer_config_json(tokenizer, 128);
  CHECK(config.at("tokenizer_class") == "PreTrainedTokenizerFast");
  CHECK(config.at("bos_token") == tokenizer.piece(tokenizer.bos_id()));
  CHECK(config.at("eos_token") == tokenizer.piece(tokenizer.eos_id()));
}
