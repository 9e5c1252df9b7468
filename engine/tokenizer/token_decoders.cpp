#include "engine/tokenizer/token_decoders.h"

#include "engine/tokenizer/byte_level_alphabet.h"
#include "engine/tokenizer/text_splitting.h"
#include "engine/tokenizer/unicode_text.h"

namespace ft {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t pos = 0; pos < text.size();) {
    size_t n;
    out.push_back(utf8_decode_first(text.substr(pos), &n));
    pos += n;
  }
  return out;
}

// "<0x41>" -> 0x41.
std::optional<uint8_t> byte_token_value(const std::string& token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int high = hex(token[3]), low = hex(token[4]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<uint8_t>(high * 16 + low);
}

}  // namespace

std::vector<std::string> ByteLevelDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string bytes;
  for (const auto& token : tokens) {
    // A token with any character outside the alphabet (an added token) is taken as it is.
    std::string token_bytes;
    bool in_alphabet = true;
    for (size_t pos = 0; pos < token.size() && in_alphabet;) {
      size_t n;
      const auto b = byte_of_byte_level_character(utf8_decode_first(std::string_view(token).substr(pos), &n));
      pos += n;
      if (b) token_bytes += static_cast<char>(*b);
      else in_alphabet = false;
    }
    bytes += in_alphabet ? token_bytes : token;
  }
  return {utf8_lossy(bytes)};
}

std::vector<std::string> ByteFallbackDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  std::string pending;
  auto flush = [&] {
    if (pending.empty()) return;
    if (is_valid_utf8(pending)) out.push_back(pending);
    else for (size_t i = 0; i < pending.size(); ++i) out.emplace_back(kReplacement);
    pending.clear();
  };
  for (auto& token : tokens) {
    if (auto b = byte_token_value(token)) {
      pending += static_cast<char>(*b);
      continue;
    }
    flush();
    out.push_back(std::move(token));
  }
  flush();
  return out;
}

std::vector<std::string> FuseDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string joined;
  for (const auto& token : tokens) joined += token;
  return {joined};
}

std::vector<std::string> StripDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (auto& token : tokens) {
    const auto chars = code_points(token);
    size_t begin = 0, end = chars.size();
    while (begin < start_ && begin < end && chars[begin] == content_) ++begin;
    for (size_t i = 0; i < stop_ && end > begin && chars[end - 1] == content_; ++i) --end;
    std::string stripped;
    for (size_t i = begin; i < end; ++i) utf8_append(stripped, chars[i]);
    token = std::move(stripped);
  }
  return tokens;
}

std::vector<std::string> ReplaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (auto& token : tokens) {
    const auto spans = regex_ ? regex_spans(*regex_, token) : literal_spans(literal_, token);
    std::string replaced;
    for (const auto& span : spans) {
      if (span.is_match) replaced += content_;
      else replaced.append(token, span.start, span.end - span.start);
    }
    token = std::move(replaced);
  }
  return tokens;
}

std::vector<std::string> MetaspaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string text;
    for (char32_t c : code_points(tokens[i])) {
      if (c != replacement_) utf8_append(text, c);
      else if (i != 0 || !prepends_) text += ' ';
    }
    tokens[i] = std::move(text);
  }
  return tokens;
}

std::vector<std::string> DecoderSequence::decode_chain(std::vector<std::string> tokens) const {
  for (const auto& step : steps_) tokens = step->decode_chain(std::move(tokens));
  return tokens;
}

}  // namespace ft
