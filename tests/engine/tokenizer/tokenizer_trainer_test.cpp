#include "engine/tokenizer/tokenizer_trainer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/catch.h"

#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

// Sentences of words drawn with a fixed seed, the first words far more often than the last, as in
// natural text: enough distinct pairs for a few hundred merges.
std::vector<std::string> sentences(size_t count) {
  static const char* const words[] = {
      "the",     "model",    "learns",  "from",     "examples", "a",        "tokenizer", "splits",  "text",
      "into",    "pieces",   "and",     "each",     "piece",    "has",      "an",        "id",      "training",
      "loss",    "falls",    "while",   "accuracy", "rises",    "slowly",   "over",      "many",    "steps",
      "weights", "gradient", "batch",   "epoch",    "learning", "rate",     "warm-up",   "decay",   "checkpoint",
      "resume",  "seed",     "random",  "order",    "data",     "valid",    "holdout",   "metric",  "callback",
      "cancel",  "café",     "naïve",   "déjà",     "vu",       "x-ray",    "42",        "2024",    "hello,",
  };
  const size_t n = std::size(words);
  std::mt19937 random(7);
  std::geometric_distribution<size_t> pick(0.08);
  std::uniform_int_distribution<int> length(3, 12);
  std::vector<std::string> out;
  for (size_t s = 0; s < count; ++s) {
    std::string sentence;
    for (int w = length(random); w > 0; --w) {
      sentence += std::string(sentence.empty() ? "" : " ") + words[pick(random) % n];
    }
    out.push_back(sentence + ".");
  }
  return out;
}

ft::Tokenizer trained(const std::vector<std::string>& texts, int64_t vocab_size) {
  return ft::Tokenizer(ft::train_bpe_tokenizer(texts, vocab_size), "trained");
}

}  // namespace

TEST_CASE("a trained tokenizer has sentencepiece's layout for a byte-fallback BPE model", "[fresh]") {
  const auto model = ft::train_bpe_tokenizer(sentences(500), 400);
  using Type = ft::SentencePiece::Type;
  REQUIRE(model.pieces.size() == 400);
  CHECK((model.pieces[0].piece == "<unk>" && model.pieces[0].type == Type::unknown));
  CHECK((model.pieces[1].piece == "<s>" && model.pieces[1].type == Type::control));
  CHECK((model.pieces[2].piece == "</s>" && model.pieces[2].type == Type::control));
  CHECK((model.pieces[3].piece == "<0x00>" && model.pieces[3].type == Type::byte));
  CHECK((model.pieces[3 + 0x41].piece == "<0x41>" && model.pieces[3 + 0x41].type == Type::byte));
  CHECK((model.pieces[258].piece == "<0xFF>" && model.pieces[258].type == Type::byte));
  // The learned pieces follow, every one normal and scored below the one before.
  for (size_t i = 259; i < model.pieces.size(); ++i) {
    INFO("piece " << i << " " << model.pieces[i].piece);
    CHECK(model.pieces[i].type == Type::normal);
    if (i > 259) CHECK(model.pieces[i].score < model.pieces[i - 1].score);
  }
  CHECK(model.algorithm == ft::SentencePieceModel::Algorithm::bpe);
  CHECK(model.byte_fallback);
  CHECK((model.unk_id == 0 && model.bos_id == 1 && model.eos_id == 2 && model.pad_id == -1));
  CHECK(model.normalizer_name == "identity");
  CHECK(model.precompiled_charsmap.empty());
  CHECK((model.add_dummy_prefix && model.remove_extra_whitespaces && model.escape_whitespaces));
}

TEST_CASE("a trained tokenizer gives the text back, unseen characters through their bytes", "[fresh]") {
  const auto tokenizer = trained(sentences(500), 400);
  for (std::string text : {"the model learns from examples.", "hello, café déjà vu 2024",
                           "unseen words: zebra quartz ✓ 中文", "✓中文", "✓ 中文", "tabs\tand\nnewlines", "x"}) {
    CHECK(tokenizer.decode(tokenizer.encode(text)) == text);
  }
  // "✓" was never seen: it is its three UTF-8 bytes, not the unknown piece.
  CHECK(tokenizer.pieces("✓") == std::vector<std::string>{"▁", "<0xE2>", "<0x9C>", "<0x93>"});
}

TEST_CASE("frequent words become single pieces", "[fresh]") {
  const auto tokenizer = trained(sentences(500), 400);
  CHECK(tokenizer.pieces("the model learns") == std::vector<std::string>{"▁the", "▁model", "▁learns"});
}

TEST_CASE("the vocabulary has the size asked for when the text has enough pairs", "[fresh]") {
  const auto texts = sentences(500);
  for (int64_t size : {300, 350, 420}) CHECK(trained(texts, size).vocab_size() == size);
  // Two words that never repeat hold no pair to merge: the pieces are the characters alone.
  const auto model = ft::train_bpe_tokenizer({"ab cd"}, 1000);
  std::set<std::string> learned;
  for (size_t i = 259; i < model.pieces.size(); ++i) learned.insert(model.pieces[i].piece);
  CHECK(learned == std::set<std::string>{"▁", "a", "b", "c", "d"});
}

TEST_CASE("the same texts train the same tokenizer", "[fresh]") {
  const auto texts = sentences(300);
  const auto first = ft::serialize_sentencepiece_model(ft::train_bpe_tokenizer(texts, 380));
  CHECK(ft::serialize_sentencepiece_model(ft::train_bpe_tokenizer(texts, 380)) == first);
  CHECK(ft::serialize_sentencepiece_model(ft::train_bpe_tokenizer(sentences(301), 380)) != first);
}

TEST_CASE("a trained tokenizer parses back from its tokenizer.model and encodes the same", "[fresh]") {
  const auto model = ft::train_bpe_tokenizer(sentences(500), 400);
  const ft::Tokenizer original(model, "trained");
  const ft::Tokenizer reloaded(ft::parse_sentencepiece_model(ft::serialize_sentencepiece_model(model), "copy"), "copy");
  REQUIRE(reloaded.vocab_size() == original.vocab_size());
  for (std::string text : {"the training loss falls while accuracy rises.", "café ✓ 中文 <s> x-ray"}) {
    CHECK(reloaded.encode(text) == original.encode(text));
  }
}

TEST_CASE("merges never spell a special or byte piece written out in the text", "[fresh]") {
  const auto model = ft::train_bpe_tokenizer({"<s> <s> <s> </s> </s> <0x41> <0x41> <unk> <unk>"}, 1000);
  std::set<std::string> seen;
  for (const auto& p : model.pieces) CHECK(seen.insert(p.piece).second);
  const ft::Tokenizer tokenizer(model, "trained");
  CHECK(tokenizer.decode(tokenizer.encode("<s> <0x41>")) == "<s> <0x41>");
}

TEST_CASE("training refuses empty texts and a vocabulary too small for the characters", "[fresh]") {
  try {
    ft::train_bpe_tokenizer({"", "   ", " "}, 1000);  // only spaces are whitespace: a tab is text
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
  }
  CHECK_THROWS_AS(ft::train_bpe_tokenizer({}, 1000), ft::Error);
  try {
    ft::train_bpe_tokenizer({"abc abd"}, 262);  // 259 + "▁", "a", "b", "c", "d"
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_argument);
    CHECK(e.param() == "vocab_size");
    CHECK_THAT(e.what(), Catch::Matchers::Contains("at least 264"));
  }
  CHECK(ft::train_bpe_tokenizer({"abc abd"}, 264).pieces.size() == 264);
}
