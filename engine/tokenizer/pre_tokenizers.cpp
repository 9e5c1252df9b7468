#include "engine/tokenizer/pre_tokenizers.h"

#include "engine/tokenizer/byte_level_alphabet.h"
#include "engine/tokenizer/unicode_text.h"

namespace ft {
namespace {

// GPT-2's word pattern, as tokenizers' ByteLevel pre-tokenizer writes it.
constexpr const char* kGpt2WordPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Replaces each word by the parts `spans_of(text)` and `behavior` make of it.
template <typename SpansOf>
void split_words(std::vector<PreToken>& words, SplitBehavior behavior, bool invert, SpansOf spans_of) {
  std::vector<PreToken> out;
  out.reserve(words.size());
  for (auto& word : words) {
    auto spans = spans_of(std::string_view(word.text));
    if (invert) invert_spans(spans);
    for (const auto& [start, end] : split_ranges(spans, behavior)) {
      out.push_back({word.text.substr(start, end - start), word.at_text_start && start == 0});
    }
  }
  words = std::move(out);
}

}  // namespace

ByteLevelPreTokenizer::ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
  if (use_regex) regex_.emplace(kGpt2WordPattern, "the ByteLevel pre-tokenizer");
}

void ByteLevelPreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  if (add_prefix_space_) {
    for (auto& word : words) {
      // tokenizers' prepend does nothing to an empty string.
      if (!word.text.empty() && word.text.front() != ' ') word.text.insert(0, 1, ' ');
    }
  }
  if (regex_) {
    split_words(words, SplitBehavior::isolated, false, [&](std::string_view text) { return regex_spans(*regex_, text); });
  }
  for (auto& word : words) word.text = to_byte_level(word.text);
}

SplitPreTokenizer::SplitPreTokenizer(std::string literal, SplitBehavior behavior, bool invert)
    : literal_(std::move(literal)), behavior_(behavior), invert_(invert) {}
SplitPreTokenizer::SplitPreTokenizer(RegexPattern regex, SplitBehavior behavior, bool invert)
    : regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}

void SplitPreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  split_words(words, behavior_, invert_, [&](std::string_view text) {
    return regex_ ? regex_spans(*regex_, text) : literal_spans(literal_, text);
  });
}

void DigitsPreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  split_words(words, individual_digits_ ? SplitBehavior::isolated : SplitBehavior::contiguous, false,
              [](std::string_view text) { return character_spans(text, is_rust_numeric); });
}

void PunctuationPreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  split_words(words, behavior_, false, [](std::string_view text) { return character_spans(text, is_unicode_punctuation); });
}

WhitespacePreTokenizer::WhitespacePreTokenizer() : words_(R"(\w+|[^\w\s]+)", "the Whitespace pre-tokenizer") {}

void WhitespacePreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  split_words(words, SplitBehavior::removed, true, [&](std::string_view text) { return regex_spans(words_, text); });
}

void WhitespaceSplitPreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  split_words(words, SplitBehavior::removed, false, [](std::string_view text) { return character_spans(text, is_rust_whitespace); });
}

MetaspacePreTokenizer::MetaspacePreTokenizer(char32_t replacement, Prepend prepend, bool split)
    : replacement_(replacement), prepend_(prepend), split_(split) {
  utf8_append(replacement_text_, replacement);
}

void MetaspacePreTokenizer::pre_tokenize(std::vector<PreToken>& words) const {
  for (auto& word : words) {
    std::string text;
    text.reserve(word.text.size() + 8);
    for (char c : word.text) {
      if (c == ' ') text += replacement_text_;
      else text += c;
    }
    const bool starts_with_replacement = text.compare(0, replacement_text_.size(), replacement_text_) == 0;
    const bool prepend = prepend_ == Prepend::always || (prepend_ == Prepend::first && word.at_text_start);
    if (prepend && !text.empty() && !starts_with_replacement) text.insert(0, replacement_text_);
    word.text = std::move(text);
  }
  if (split_) {
    split_words(words, SplitBehavior::merged_with_next, false,
                [&](std::string_view text) { return character_spans(text, [&](char32_t c) { return c == replacement_; }); });
  }
}

void PreTokenizerSequence::pre_tokenize(std::vector<PreToken>& words) const {
  for (const auto& step : steps_) step->pre_tokenize(words);
}

}  // namespace ft
