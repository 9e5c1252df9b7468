#include "engine/tokenizer/tokenizer_json.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"
#include "engine/core/json_document.h"
#include "engine/core/string_affixes.h"
#include "engine/core/utf8_text.h"
#include "engine/tokenizer/unicode_text.h"

#include <sstream>

namespace ft {
namespace {

using Json = nlohmann::json;

// Where a component sits, for error messages: "tokenizer.json: normalizer.normalizers[1]".
struct Place {
  const std::string& origin;
  std::string path;
  Place at(const std::string& key) const { return {origin, path.empty() ? key : path + "." + key}; }
  Place at(size_t index) const { return {origin, path + "[" + std::to_string(index) + "]"}; }
  std::string name() const { return origin + ": " + path; }
};

[[noreturn]] void malformed(const Place& place, const std::string& what) {
  throw Error(ErrorKind::invalid_input, place.name() + " " + what);
}

const Json& field(const Json& object, const char* key, const Place& place) {
  if (!object.is_object() || !object.contains(key)) malformed(place, std::string("has no \"") + key + "\"");
  return object.at(key);
}

template <typename T>
T value(const Json& object, const char* key, const Place& place, T fallback) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return fallback;
  try {
    return object.at(key).get<T>();
  } catch (const Json::exception&) {
    malformed(place.at(key), "has the wrong type");
  }
}

std::string string_field(const Json& object, const char* key, const Place& place) {
  const auto& v = field(object, key, place);
  if (!v.is_string()) malformed(place.at(key), "is not a string");
  return v.get<std::string>();
}

std::string component_type(const Json& component, const Place& place) { return string_field(component, "type", place); }

[[noreturn]] void unsupported(const Place& place, const char* kind, const std::string& type, const char* supported) {
  throw Error(ErrorKind::unsupported, place.origin + ": the " + kind + " " + quoted_excerpt(type) + " (at " + place.path +
                                          ") is not supported; the engine reads " + supported);
}

char32_t single_character(const std::string& text, const Place& place) {
  size_t n = 0;
  if (text.empty() || !is_valid_utf8(text)) malformed(place, "is not one character");
  const char32_t c = utf8_decode_first(text, &n);
  if (n != text.size()) malformed(place, "is not one character");
  return c;
}

// A {"String": literal} or {"Regex": pattern} pattern.
struct Pattern {
  std::string literal;
  std::optional<RegexPattern> regex;
};
Pattern pattern(const Json& component, const Place& place) {
  const auto& p = field(component, "pattern", place);
  const auto where = place.at("pattern");
  if (p.is_object() && p.contains("String") && p.at("String").is_string()) return {p.at("String").get<std::string>(), std::nullopt};
  if (p.is_object() && p.contains("Regex") && p.at("Regex").is_string()) {
    return {"", RegexPattern(p.at("Regex").get<std::string>(), where.name())};
  }
  malformed(where, "is neither {\"String\": ...} nor {\"Regex\": ...}");
}

std::string base64_decode(const std::string& text, const Place& place) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else malformed(place, "is not base64");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if ((count += 6) >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::unique_ptr<Normalizer> normalizer(const Json& n, const Place& place) {
  if (n.is_null()) return nullptr;
  const auto type = component_type(n, place);
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(UnicodeForm::nfc);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(UnicodeForm::nfd);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(UnicodeForm::nfkc);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(UnicodeForm::nfkd);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "Strip") {
    return std::make_unique<StripNormalizer>(value(n, "strip_left", place, true), value(n, "strip_right", place, true));
  }
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(string_field(n, "prepend", place));
  if (type == "Replace") {
    auto p = pattern(n, place);
    auto content = string_field(n, "content", place);
    if (p.regex) return std::make_unique<ReplaceNormalizer>(std::move(*p.regex), content);
    return std::make_unique<ReplaceNormalizer>(p.literal, content);
  }
  if (type == "Precompiled") {
    const auto charsmap = value<std::string>(n, "precompiled_charsmap", place, "");
    if (charsmap.empty()) return nullptr;
    return std::make_unique<PrecompiledNormalizer>(base64_decode(charsmap, place.at("precompiled_charsmap")), place.name());
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> steps;
    const auto& list = field(n, "normalizers", place);
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = normalizer(list[i], place.at("normalizers").at(i))) steps.push_back(std::move(step));
    }
    return std::make_unique<NormalizerSequence>(std::move(steps));
  }
  unsupported(place, "normalizer", type, "NFC, NFD, NFKC, NFKD, Lowercase, Strip, Prepend, Replace, Precompiled and Sequence");
}

MetaspacePreTokenizer::Prepend prepend_scheme(const Json& component, const Place& place) {
  if (component.contains("prepend_scheme")) {
    const auto scheme = value<std::string>(component, "prepend_scheme", place, "always");
    if (scheme == "always") return MetaspacePreTokenizer::Prepend::always;
    if (scheme == "first") return MetaspacePreTokenizer::Prepend::first;
    if (scheme == "never") return MetaspacePreTokenizer::Prepend::never;
    malformed(place.at("prepend_scheme"), "is not always, first or never");
  }
  // Files written before prepend_scheme existed say add_prefix_space.
  return value(component, "add_prefix_space", place, true) ? MetaspacePreTokenizer::Prepend::always
                                                            : MetaspacePreTokenizer::Prepend::never;
}

std::unique_ptr<PreTokenizer> pre_tokenizer(const Json& p, const Place& place) {
  if (p.is_null()) return nullptr;
  const auto type = component_type(p, place);
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPreTokenizer>(value(p, "add_prefix_space", place, true), value(p, "use_regex", place, true));
  }
  if (type == "Split") {
    auto pat = pattern(p, place);
    const auto behavior = parse_split_behavior(string_field(p, "behavior", place), place.at("behavior").name());
    const bool invert = value(p, "invert", place, false);
    if (pat.regex) return std::make_unique<SplitPreTokenizer>(std::move(*pat.regex), behavior, invert);
    return std::make_unique<SplitPreTokenizer>(pat.literal, behavior, invert);
  }
  if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(value(p, "individual_digits", place, false));
  if (type == "Punctuation") {
    return std::make_unique<PunctuationPreTokenizer>(
        parse_split_behavior(value<std::string>(p, "behavior", place, "Isolated"), place.at("behavior").name()));
  }
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
  if (type == "Metaspace") {
    return std::make_unique<MetaspacePreTokenizer>(single_character(value<std::string>(p, "replacement", place, "\xE2\x96\x81"), place.at("replacement")),
                                                   prepend_scheme(p, place), value(p, "split", place, true));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    const auto& list = field(p, "pretokenizers", place);
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = pre_tokenizer(list[i], place.at("pretokenizers").at(i))) steps.push_back(std::move(step));
    }
    return std::make_unique<PreTokenizerSequence>(std::move(steps));
  }
  unsupported(place, "pre-tokenizer", type, "ByteLevel, Split, Digits, Punctuation, Whitespace, WhitespaceSplit, Metaspace and Sequence");
}

std::unique_ptr<TokenDecoder> decoder(const Json& d, const Place& place) {
  if (d.is_null()) return nullptr;
  const auto type = component_type(d, place);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    return std::make_unique<StripDecoder>(single_character(string_field(d, "content", place), place.at("content")),
                                          value<size_t>(d, "start", place, 0), value<size_t>(d, "stop", place, 0));
  }
  if (type == "Replace") {
    auto p = pattern(d, place);
    auto content = string_field(d, "content", place);
    if (p.regex) return std::make_unique<ReplaceDecoder>(std::move(*p.regex), content);
    return std::make_unique<ReplaceDecoder>(p.literal, content);
  }
  if (type == "Metaspace") {
    return std::make_unique<MetaspaceDecoder>(single_character(value<std::string>(d, "replacement", place, "\xE2\x96\x81"), place.at("replacement")),
                                              prepend_scheme(d, place) != MetaspacePreTokenizer::Prepend::never);
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<TokenDecoder>> steps;
    const auto& list = field(d, "decoders", place);
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = decoder(list[i], place.at("decoders").at(i))) steps.push_back(std::move(step));
    }
    return std::make_unique<DecoderSequence>(std::move(steps));
  }
  unsupported(place, "decoder", type, "ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace and Sequence");
}

std::unique_ptr<PostProcessor> post_processor(const Json& p, const Place& place) {
  if (p.is_null()) return nullptr;
  const auto type = component_type(p, place);
  if (type == "ByteLevel") return std::make_unique<IdentityProcessor>();
  if (type == "TemplateProcessing") {
    const auto& specials = field(p, "special_tokens", place);
    std::vector<TemplateProcessor::Item> items;
    const auto& single = field(p, "single", place);
    for (size_t i = 0; i < single.size(); ++i) {
      const auto where = place.at("single").at(i);
      const auto& piece = single[i];
      if (piece.is_object() && piece.contains("Sequence")) {
        items.push_back({true, {}});
      } else if (piece.is_object() && piece.contains("SpecialToken")) {
        const auto name = string_field(piece.at("SpecialToken"), "id", where);
        if (!specials.contains(name)) malformed(where, "names the special token " + quoted_excerpt(name) + ", which special_tokens lacks");
        items.push_back({false, value<std::vector<int64_t>>(specials.at(name), "ids", where, {})});
      } else {
        malformed(where, "is neither a Sequence nor a SpecialToken");
      }
    }
    return std::make_unique<TemplateProcessor>(std::move(items));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PostProcessor>> steps;
    const auto& list = field(p, "processors", place);
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = post_processor(list[i], place.at("processors").at(i))) steps.push_back(std::move(step));
    }
    return std::make_unique<ProcessorSequence>(std::move(steps));
  }
  unsupported(place, "post-processor", type, "TemplateProcessing, ByteLevel and Sequence");
}

std::vector<AddedToken> added_tokens(const Json& list, const Place& place) {
  std::vector<AddedToken> out;
  if (list.is_null()) return out;
  if (!list.is_array()) malformed(place, "is not a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const auto where = place.at(i);
    AddedToken t;
    t.id = value<int64_t>(list[i], "id", where, -1);
    if (t.id < 0) malformed(where, "has no id");
    t.content = string_field(list[i], "content", where);
    t.single_word = value(list[i], "single_word", where, false);
    t.lstrip = value(list[i], "lstrip", where, false);
    t.rstrip = value(list[i], "rstrip", where, false);
    t.special = value(list[i], "special", where, false);
    t.normalized = value(list[i], "normalized", where, !t.special);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> merges(const Json& list, const Place& place) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!list.is_array()) malformed(place, "is not a list");
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& m = list[i];
    if (m.is_string()) {
      const auto& s = m.get_ref<const std::string&>();
      const auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) malformed(place.at(i), "is not two symbols \"a b\"");
      out.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      out.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      malformed(place.at(i), "is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return out;
}

std::unordered_map<std::string, int64_t> vocabulary(const Json& vocab, const Place& place) {
  if (!vocab.is_object()) malformed(place, "is not an object of token: id");
  std::unordered_map<std::string, int64_t> out;
  out.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) malformed(place.at(it.key()), "is not an integer id");
    out.emplace(it.key(), it.value().get<int64_t>());
  }
  return out;
}

BpeModel bpe_model(const Json& model, const Place& place) {
  const auto type = value<std::string>(model, "type", place, "BPE");
  if (type != "BPE") unsupported(place, "model", type, "BPE");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!value<std::string>(model, key, place, "").empty()) {
      throw Error(ErrorKind::unsupported, place.origin + ": " + place.at(key).path + " is set; the engine reads BPE models without it");
    }
  }
  if (model.contains("dropout") && !model.at("dropout").is_null() && value<double>(model, "dropout", place, 0.0) != 0.0) {
    throw Error(ErrorKind::unsupported, place.origin + ": model.dropout is set; the engine encodes deterministically, without BPE dropout");
  }
  BpeOptions options;
  if (model.contains("unk_token") && !model.at("unk_token").is_null()) options.unk_token = string_field(model, "unk_token", place);
  options.fuse_unk = value(model, "fuse_unk", place, false);
  options.byte_fallback = value(model, "byte_fallback", place, false);
  options.ignore_merges = value(model, "ignore_merges", place, false);
  return BpeModel(vocabulary(field(model, "vocab", place), place.at("vocab")), merges(field(model, "merges", place), place.at("merges")),
                  options, place.origin);
}

}  // namespace

HfTokenizer parse_tokenizer_json(const Json& document, const std::string& origin) {
  const Place root{origin, ""};
  if (!document.is_object()) malformed({origin, "the document"}, "is not a JSON object");
  HfTokenizerParts parts;
  parts.normalizer = normalizer(document.value("normalizer", Json()), root.at("normalizer"));
  parts.pre_tokenizer = pre_tokenizer(document.value("pre_tokenizer", Json()), root.at("pre_tokenizer"));
  parts.decoder = decoder(document.value("decoder", Json()), root.at("decoder"));
  parts.post_processor = post_processor(document.value("post_processor", Json()), root.at("post_processor"));
  parts.added_tokens = added_tokens(document.value("added_tokens", Json()), root.at("added_tokens"));
  return HfTokenizer(bpe_model(field(document, "model", {origin, "the document"}), root.at("model")), std::move(parts));
}

HfTokenizer read_tokenizer_json(const std::filesystem::path& tokenizer_json) {
  return parse_tokenizer_json(read_json_file(tokenizer_json), tokenizer_json.string());
}

HfTokenizer read_vocab_and_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt,
                                  std::vector<AddedToken> added) {
  const auto vocab = vocabulary(read_json_file(vocab_json), {vocab_json.string(), "the vocabulary"});
  const auto merges_origin = merges_txt.string();
  std::vector<std::pair<std::string, std::string>> merge_list;
  std::istringstream lines(read_file_bytes(merges_txt));
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (starts_with(line, "#version") || line.empty()) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
      throw Error(ErrorKind::invalid_input, merges_origin + ": line " + std::to_string(number) + " is not two symbols \"a b\"");
    }
    merge_list.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  // GPT-2's scheme, as transformers' GPT2TokenizerFast builds it from these two files.
  HfTokenizerParts parts;
  parts.pre_tokenizer = std::make_unique<ByteLevelPreTokenizer>(false, true);
  parts.decoder = std::make_unique<ByteLevelDecoder>();
  parts.added_tokens = std::move(added);
  return HfTokenizer(BpeModel(vocab, merge_list, BpeOptions{}, merges_origin), std::move(parts));
}

}  // namespace ft
