#include "engine/tokenizer/normalizers.h"

#include "engine/tokenizer/text_splitting.h"
#include "engine/tokenizer/unicode_text.h"

namespace ft {
namespace {

SentencePieceModel charsmap_only(const std::string& charsmap) {
  SentencePieceModel model;
  model.precompiled_charsmap = charsmap;
  return model;
}

}  // namespace

std::string UnicodeNormalizer::normalize(std::string text) const {
  switch (form_) {
    case UnicodeForm::nfc: return nfc(text);
    case UnicodeForm::nfd: return nfd(text);
    case UnicodeForm::nfkc: return nfkc(text);
    case UnicodeForm::nfkd: return nfkd(text);
  }
  return text;
}

std::string LowercaseNormalizer::normalize(std::string text) const { return lowercase(text); }

std::string StripNormalizer::normalize(std::string text) const {
  size_t begin = 0, end = text.size();
  if (left_) {
    while (begin < end) {
      size_t n;
      if (!is_rust_whitespace(utf8_decode_first(std::string_view(text).substr(begin), &n))) break;
      begin += n;
    }
  }
  if (right_) {
    while (end > begin) {
      size_t start = end - 1;
      while (start > begin && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
      size_t n;
      if (!is_rust_whitespace(utf8_decode_first(std::string_view(text).substr(start), &n))) break;
      end = start;
    }
  }
  return text.substr(begin, end - begin);
}

std::string PrependNormalizer::normalize(std::string text) const { return text.empty() ? text : prefix_ + text; }

std::string ReplaceNormalizer::normalize(std::string text) const {
  const auto spans = regex_ ? regex_spans(*regex_, text) : literal_spans(literal_, text);
  std::string out;
  out.reserve(text.size());
  for (const auto& span : spans) {
    if (span.is_match) out += content_;
    else out.append(text, span.start, span.end - span.start);
  }
  return out;
}

PrecompiledNormalizer::PrecompiledNormalizer(const std::string& charsmap, const std::string& origin)
    : map_(charsmap_only(charsmap), origin) {}

std::string PrecompiledNormalizer::normalize(std::string text) const {
  std::string out;
  out.reserve(text.size());
  for_each_grapheme(text, [&](std::string_view cluster) {
    if (cluster.size() < 6) {
      if (auto replacement = map_.shortest_prefix_replacement(cluster)) {
        out += *replacement;
        return;
      }
    }
    for (size_t pos = 0; pos < cluster.size();) {
      size_t n;
      utf8_decode_first(cluster.substr(pos), &n);
      const auto character = cluster.substr(pos, n);
      const auto replacement = map_.shortest_prefix_replacement(character);
      out += replacement ? *replacement : character;
      pos += n;
    }
  });
  return out;
}

std::string NormalizerSequence::normalize(std::string text) const {
  for (const auto& step : steps_) text = step->normalize(std::move(text));
  return text;
}

}  // namespace ft
