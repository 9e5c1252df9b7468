#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/tokenizer/text_splitting.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/tokenizer_json.h"
#include "engine/tokenizer/unicode_text.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// A byte-level BPE that knows "hello" and " hello" ("Ġhello"), and one special token.
Json tiny_byte_level_tokenizer(Json merges) {
  return {{"version", "1.0"},
          {"added_tokens", {{{"id", 10}, {"content", "<|end|>"}, {"single_word", false}, {"lstrip", false},
                             {"rstrip", false}, {"normalized", false}, {"special", true}}}},
          {"normalizer", nullptr},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
          {"post_processor", {{"type", "TemplateProcessing"},
                              {"single", {{{"SpecialToken", {{"id", "<|end|>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                              {"pair", Json::array()},
                              {"special_tokens", {{"<|end|>", {{"id", "<|end|>"}, {"ids", {10}}, {"tokens", {"<|end|>"}}}}}}}},
          {"decoder", {{"type", "ByteLevel"}}},
          {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"fuse_unk", false},
                     {"byte_fallback", false}, {"ignore_merges", false},
                     {"vocab", {{"h", 0}, {"e", 1}, {"l", 2}, {"o", 3}, {"\xC4\xA0", 4}, {"he", 5}, {"ll", 6}, {"hell", 7},
                                {"hello", 8}, {"\xC4\xA0hello", 9}}},
                     {"merges", merges}}}};
}

const Json kStringMerges = {"h e", "l l", "he ll", "hell o", "\xC4\xA0 hello"};
// Json::array, or nlohmann reads a list of two-string lists as an object.
const Json kPairMerges = Json::array({Json::array({"h", "e"}), Json::array({"l", "l"}), Json::array({"he", "ll"}),
                                      Json::array({"hell", "o"}), Json::array({"\xC4\xA0", "hello"})});

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ft::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a byte-level BPE tokenizer.json encodes and decodes by hand-checked ids", "[tokenizer_json]") {
  for (const auto& merges : {kStringMerges, kPairMerges}) {
    const auto t = ft::parse_tokenizer_json(tiny_byte_level_tokenizer(merges), "tiny.json");
    CHECK(t.encode("hello hello") == std::vector<int64_t>{8, 9});
    CHECK(t.encode("hello<|end|>hello") == std::vector<int64_t>{8, 10, 8});
    CHECK(t.encode("hello", true) == std::vector<int64_t>{10, 8});
    // "x" is no character of the vocabulary and there is no unknown token: tokenizers drops it
    // before merging.
    CHECK(t.encode("hexllo") == std::vector<int64_t>{8});
    CHECK(t.decode({8, 9}) == "hello hello");
    CHECK(t.decode({8, 10, 8}) == "hellohello");
    CHECK(t.decode({8, 10, 8}, false) == "hello<|end|>hello");
    CHECK(t.vocab_size() == 11);
  }
}

TEST_CASE("each split behavior cuts as tokenizers does", "[tokenizer_json]") {
  const std::string text = "a-b--c";
  const auto spans = ft::literal_spans("-", text);
  auto pieces = [&](ft::SplitBehavior behavior) {
    std::vector<std::string> out;
    for (const auto& [start, end] : ft::split_ranges(spans, behavior)) out.push_back(text.substr(start, end - start));
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(pieces(ft::SplitBehavior::removed) == V{"a", "b", "c"});
  CHECK(pieces(ft::SplitBehavior::isolated) == V{"a", "-", "b", "-", "-", "c"});
  CHECK(pieces(ft::SplitBehavior::merged_with_previous) == V{"a-", "b-", "-", "c"});
  CHECK(pieces(ft::SplitBehavior::merged_with_next) == V{"a", "-b", "-", "-c"});
  CHECK(pieces(ft::SplitBehavior::contiguous) == V{"a", "-", "b", "--", "c"});
}

TEST_CASE("invalid UTF-8 becomes one U+FFFD per maximal invalid sequence", "[tokenizer_json]") {
  CHECK(ft::utf8_lossy("a\xE2\x82" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(ft::utf8_lossy("\xFF\xFE") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(ft::utf8_lossy("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(ft::utf8_lossy("d\xC3\xA9j\xC3\xA0") == "d\xC3\xA9j\xC3\xA0");
}

TEST_CASE("components the engine lacks are refused, naming the component and the file", "[tokenizer_json]") {
  auto doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "BertNormalizer"}}}}};
  auto message = error_of([&] { ft::parse_tokenizer_json(doc, "/models/x/tokenizer.json"); });
  CHECK_THAT(message, Catch::Matchers::Contains("/models/x/tokenizer.json") && Catch::Matchers::Contains("\"BertNormalizer\"") &&
                          Catch::Matchers::Contains("normalizer.normalizers[1]"));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["pre_tokenizer"] = {{"type", "UnicodeScripts"}};
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("pre-tokenizer \"UnicodeScripts\""));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["decoder"] = {{"type", "WordPiece"}};
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("decoder \"WordPiece\""));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["post_processor"] = {{"type", "RobertaProcessing"}};
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("post-processor \"RobertaProcessing\""));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["model"]["type"] = "Unigram";
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("model \"Unigram\"") &&
                                                                               Catch::Matchers::Contains("t.json"));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["model"]["continuing_subword_prefix"] = "##";
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("continuing_subword_prefix"));

  doc = tiny_byte_level_tokenizer(Json{"h e", "x y"});
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("\"x\" is not in the vocabulary"));

  doc = tiny_byte_level_tokenizer(kStringMerges);
  doc["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}, {"invert", false}};
  CHECK_THAT(error_of([&] { ft::parse_tokenizer_json(doc, "t.json"); }), Catch::Matchers::Contains("(unclosed"));
}

TEST_CASE("a malformed tokenizer.json is an error naming the file", "[tokenizer_json]") {
  ft::testing::TempFolder dir;
  const auto path = dir.write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", ");
  try {
    ft::read_tokenizer_json(path);
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(path.string()));
  }
}

TEST_CASE("a folder with tokenizer.json loads through Tokenizer and saves its files back unchanged", "[tokenizer_json]") {
  ft::testing::TempFolder source, copy;
  const auto json_text = tiny_byte_level_tokenizer(kStringMerges).dump(1) + "\n";
  source.write("tokenizer.json", json_text);
  const std::string config = R"({"bos_token": {"content": "<|end|>", "special": true}, "eos_token": "<|end|>"})";
  source.write("tokenizer_config.json", config);
  source.write("config.json", R"({"pad_token_id": 3})");
  // transformers 5 writes the chat template beside the tokenizer: a fine-tuned model saved
  // without it would be prompted in another format than it was trained on.
  const std::string chat_template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endfor %}";
  source.write("chat_template.jinja", chat_template);
  const auto tokenizer = ft::Tokenizer::load_folder(source.path());
  CHECK_FALSE(tokenizer.is_sentencepiece());
  CHECK(tokenizer.encode("hello hello") == std::vector<int64_t>{8, 9});
  CHECK(tokenizer.bos_id() == 10);
  CHECK(tokenizer.eos_id() == 10);
  CHECK(tokenizer.pad_id() == 3);  // config.json's, as tokenizer_config.json names none
  CHECK(tokenizer.unk_id() == -1);
  CHECK(tokenizer.piece(9) == "\xC4\xA0hello");
  CHECK(tokenizer.decode({10, 8, 9}) == "hello hello");
  CHECK_THROWS_AS(tokenizer.piece(11), ft::Error);

  tokenizer.save(copy.path(), 2048);
  CHECK(ft::read_file_bytes(copy / "tokenizer.json") == json_text);
  CHECK(ft::read_file_bytes(copy / "tokenizer_config.json") == config);
  CHECK(ft::read_file_bytes(copy / "chat_template.jinja") == chat_template);
  CHECK_FALSE(fs::exists(copy / "tokenizer.model"));
}

TEST_CASE("a folder without any tokenizer file is an error naming the folder", "[tokenizer_json]") {
  ft::testing::TempFolder dir;
  try {
    ft::Tokenizer::load_folder(dir.path());
    FAIL("no error");
  } catch (const ft::Error& e) {
    CHECK(e.kind() == ft::ErrorKind::not_found);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(dir.path().string()) && Catch::Matchers::Contains("tokenizer.json"));
  }
}

TEST_CASE("a folder with only tokenizer.model still loads the sentencepiece tokenizer", "[tokenizer_json]") {
  const auto folder = fs::path(FT_FIXTURES) / "hf" / "tiny-llama";
  const auto tokenizer = ft::Tokenizer::load_folder(folder);
  CHECK(tokenizer.is_sentencepiece());
  CHECK(tokenizer.encode("copy") == ft::Tokenizer::load(folder / "tokenizer.model").encode("copy"));
}

TEST_CASE("vocab.json with merges.txt loads as GPT-2's byte-level BPE", "[tokenizer_json]") {
  ft::testing::TempFolder dir;
  dir.write("vocab.json", tiny_byte_level_tokenizer(kStringMerges)["model"]["vocab"].dump());
  dir.write("merges.txt", "#version: 0.2\nh e\nl l\nhe ll\nhell o\n\xC4\xA0 hello\n");
  const auto tokenizer = ft::Tokenizer::load_folder(dir.path());
  CHECK(tokenizer.encode("hello hello") == std::vector<int64_t>{8, 9});
  CHECK(tokenizer.decode({8, 9}) == "hello hello");
  dir.write("merges.txt", "#version: 0.2\nh e x\n");
  CHECK_THAT(error_of([&] { ft::Tokenizer::load_folder(dir.path()); }),
             Catch::Matchers::Contains("merges.txt: line 2"));
}
