#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

namespace fs = std::filesystem;

namespace {
const fs::path kFixture = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";
}

TEST_CASE("the tokenizer gives sentencepiece's ids and pieces", "[tokenizer]") {
  auto tokenizer = ft::Tokenizer::load(kFixture / "tokenizer.model");
  auto reference = ft::read_json_file(kFixture / "reference.json")["tokenizer"];
  CHECK(tokenizer.vocab_size() == reference["vocab_size"]);
  CHECK(tokenizer.bos_id() == reference["bos_id"]);
  CHECK(tokenizer.eos_id() == reference["eos_id"]);
  CHECK(tokenizer.unk_id() == reference["unk_id"]);
  CHECK(tokenizer.pad_id() == reference["pad_id"]);
  for (size_t i = 0; i < reference["texts"].size(); ++i) {
    const auto text = reference["texts"][i].get<std::string>();
    CHECK(tokenizer.encode(text) == reference["ids"][i].get<std::vector<int64_t>>());
    CHECK(tokenizer.pieces(text) == reference["pieces"][i].get<std::vector<std::string>>());
  }
}

TEST_CASE("decoding gives the text back", "[tokenizer]") {
  auto tokenizer = ft::Tokenizer::load(kFixture / "tokenizer.model");
  for (std::string text : {"The licensee may copy.", "Unicode: déjà vu ✓ — naïve café 42 中文", "✓ 中文", "x"}) {
    CHECK(tokenizer.decode(tokenizer.encode(text)) == text);
  }
  // Control tokens vanish; leading and repeated spaces are normalized away as sentencepiece does.
  auto ids = tokenizer.encode("  hello   world ");
  ids.insert(ids.begin(), tokenizer.bos_id());
  ids.push_back(tokenizer.eos_id());
  CHECK(tokenizer.decode(ids) == "hello world");
  CHECK(tokenizer.encode("").empty());
  CHECK_THROWS_AS(tokenizer.decode({tokenizer.vocab_size()}), ft::Error);
}

TEST_CASE("a file that is not a tokenizer model gives an error naming it", "[tokenizer]") {
  ft::testing::TempFolder dir;
  auto path = dir.write("tokenizer.model", "this is not a protobuf \xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
  try {
    ft::Tokenizer::load(path);
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(path.string()));
  }
  CHECK_THROWS_AS(ft::Tokenizer::load(dir / "missing.model"), ft::Error);
}

TEST_CASE("a tokenizer rebuilt from its parsed model encodes the same", "[tokenizer]") {
  auto original = ft::Tokenizer::load(kFixture / "tokenizer.model");
  ft::Tokenizer rebuilt(ft::parse_sentencepiece_model(ft::serialize_sentencepiece_model(original.model()), "copy"), "copy");
  const std::string text = "Hyper-parameters are like the settings on a camera; 中文";
  CHECK(rebuilt.encode(text) == original.encode(text));
}
