#include "engine/tokenizer/hf_tokenizer_files.h"

#include "engine/core/file_io.h"

#include <algorithm>
#include <tuple>
#include <unordered_set>

namespace ft {
namespace {

using Json = nlohmann::json;
using PieceType = SentencePiece::Type;

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
    for (size_t k = 0; k < 4; ++k) out += i + k <= bytes.size() ? kAlphabet[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

bool mergeable(const SentencePiece& p) { return p.type == PieceType::normal || p.type == PieceType::user_defined; }

// The UTF-8 characters of a piece (a byte that is not valid UTF-8 counts as one character).
std::vector<std::string_view> characters(std::string_view piece) {
  std::vector<std::string_view> out;
  for (size_t pos = 0; pos < piece.size();) {
    const size_t n = std::max<size_t>(1, utf8_char_length(piece.substr(pos)));
    out.push_back(piece.substr(pos, n));
    pos += n;
  }
  return out;
}

// sentencepiece's BPE merges the adjacent pair whose union is the highest-scoring piece; as
// ranked merges that is every split of every piece into two symbols (pieces, or single
// characters of the vocabulary), ordered by the piece's score, highest first.
Json merges(const SentencePieceModel& model) {
  std::unordered_set<std::string_view> symbols, characters_in_vocabulary;
  for (const auto& p : model.pieces) {
    if (mergeable(p)) symbols.insert(p.piece);
    if (characters(p.piece).size() == 1) characters_in_vocabulary.insert(p.piece);
  }
  auto is_symbol = [&](std::string_view s) { return symbols.count(s) || characters_in_vocabulary.count(s); };
  std::vector<std::tuple<float, size_t, size_t>> ranked;  // (-score, piece id, split), sorted
  for (size_t id = 0; id < model.pieces.size(); ++id) {
    const auto& p = model.pieces[id];
    if (!mergeable(p)) continue;
    const auto chars = characters(p.piece);
    size_t split = 0;
    for (size_t k = 1; k < chars.size(); ++k) {
      split += chars[k - 1].size();
      const std::string_view piece(p.piece);
      if (is_symbol(piece.substr(0, split)) && is_symbol(piece.substr(split))) ranked.emplace_back(-p.score, id, split);
    }
  }
  std::sort(ranked.begin(), ranked.end());
  Json out = Json::array();
  for (const auto& [score, id, split] : ranked) {
    const auto& piece = model.pieces[id].piece;
    out.push_back({piece.substr(0, split), piece.substr(split)});
  }
  return out;
}

Json replace(const Json& pattern, const std::string& content) {
  return {{"type", "Replace"}, {"pattern", pattern}, {"content", content}};
}

// sentencepiece's normalization: the character map, then (remove_extra_whitespaces) spaces
// stripped at both ends and runs of them collapsed, then the dummy prefix, then spaces as "▁".
// Only the space itself counts: the character map has already turned other whitespace into it
// where the normalization rule says so.
Json normalizer(const SentencePieceModel& model) {
  Json steps = Json::array();
  if (!model.precompiled_charsmap.empty()) {
    steps.push_back({{"type", "Precompiled"}, {"precompiled_charsmap", base64(model.precompiled_charsmap)}});
  }
  if (model.remove_extra_whitespaces) {
    steps.push_back(replace({{"Regex", "\\A +| +\\z"}}, ""));
    steps.push_back(replace({{"Regex", " {2,}"}}, " "));
  }
  const std::string space = model.escape_whitespaces ? std::string(kSentencePieceSpace) : " ";
  if (model.add_dummy_prefix) steps.push_back({{"type", "Prepend"}, {"prepend", space}});
  if (model.escape_whitespaces) steps.push_back(replace({{"String", " "}}, space));
  if (steps.empty()) return nullptr;
  return {{"type", "Sequence"}, {"normalizers", steps}};
}

Json decoder(const SentencePieceModel& model) {
  Json steps = Json::array();
  if (model.escape_whitespaces) steps.push_back(replace({{"String", std::string(kSentencePieceSpace)}}, " "));
  steps.push_back({{"type", "ByteFallback"}});
  steps.push_back({{"type", "Fuse"}});
  if (model.add_dummy_prefix) steps.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  return {{"type", "Sequence"}, {"decoders", steps}};
}

// BOS in front of every sequence (and of the second of a pair), as the engine's template has it.
Json post_processor(const Tokenizer& tokenizer) {
  if (tokenizer.bos_id() < 0) return nullptr;
  const auto& bos = tokenizer.piece(tokenizer.bos_id());
  auto special = [&](int type_id) { return Json{{"SpecialToken", {{"id", bos}, {"type_id", type_id}}}}; };
  auto sequence = [](const char* id, int type_id) { return Json{{"Sequence", {{"id", id}, {"type_id", type_id}}}}; };
  return {{"type", "TemplateProcessing"},
          {"single", {special(0), sequence("A", 0)}},
          {"pair", {special(0), sequence("A", 0), special(1), sequence("B", 1)}},
          {"special_tokens", {{bos, {{"id", bos}, {"ids", {tokenizer.bos_id()}}, {"tokens", {bos}}}}}}};
}

Json added_tokens(const SentencePieceModel& model) {
  Json out = Json::array();
  for (size_t id = 0; id < model.pieces.size(); ++id) {
    const auto type = model.pieces[id].type;
    if (type != PieceType::control && type != PieceType::unknown) continue;
    out.push_back({{"id", id}, {"content", model.pieces[id].piece}, {"single_word", false}, {"lstrip", false},
                   {"rstrip", false}, {"normalized", false}, {"special", true}});
  }
  return out;
}

Json special_token(const Tokenizer& tokenizer, int64_t id) { return id >= 0 ? Json(tokenizer.piece(id)) : Json(nullptr); }

}  // namespace

Json hf_tokenizer_json(const Tokenizer& tokenizer) {
  const auto& model = tokenizer.model();
  Json vocab = Json::object();
  for (size_t id = 0; id < model.pieces.size(); ++id) vocab[model.pieces[id].piece] = id;
  const Json bpe = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", special_token(tokenizer, tokenizer.unk_id())},
                    {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr}, {"fuse_unk", true},
                    {"byte_fallback", model.byte_fallback}, {"ignore_merges", false}, {"vocab", vocab},
                    {"merges", merges(model)}};
  return {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}, {"added_tokens", added_tokens(model)},
          {"normalizer", normalizer(model)}, {"pre_tokenizer", nullptr}, {"post_processor", post_processor(tokenizer)},
          {"decoder", decoder(model)}, {"model", bpe}};
}

// PreTrainedTokenizerFast takes tokenizer.json as it is (LlamaTokenizer would rebuild its
// normalizer); the special tokens name pieces of the vocabulary.
Json hf_tokenizer_config_json(const Tokenizer& tokenizer, int64_t model_max_length) {
  return {{"tokenizer_class", "PreTrainedTokenizerFast"},
          {"bos_token", special_token(tokenizer, tokenizer.bos_id())},
          {"eos_token", special_token(tokenizer, tokenizer.eos_id())},
          {"unk_token", special_token(tokenizer, tokenizer.unk_id())},
          {"pad_token", special_token(tokenizer, tokenizer.pad_id())},
          {"model_max_length", model_max_length}};
}

void write_hf_tokenizer_files(const std::filesystem::path& folder, const Tokenizer& tokenizer, int64_t model_max_length) {
  write_file_atomically(folder / "tokenizer.json", hf_tokenizer_json(tokenizer).dump() + "\n");
  write_file_atomically(folder / "tokenizer_config.json",
                        hf_tokenizer_config_json(tokenizer, model_max_length).dump(2) + "\n");
}

}  // namespace ft
