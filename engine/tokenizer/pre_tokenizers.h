// The pre-tokenizers of Hugging Face tokenizer.json files: each cuts normalized text into the
// words that the model then splits into tokens, and may rewrite them (ByteLevel writes bytes as
// its alphabet, Metaspace writes spaces as "▁").
#pragma once

#include "engine/tokenizer/regex_pattern.h"
#include "engine/tokenizer/text_splitting.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ft {

struct PreToken {
  std::string text;
  bool at_text_start;  // it begins where the original text begins (Metaspace's "first" scheme)
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces each word by its parts, dropping empty ones.
  virtual void pre_tokenize(std::vector<PreToken>& words) const = 0;
};

// GPT-2's byte-level scheme: an optional space in front, the GPT-2 word regex, then every byte
// written as its character of the byte-level alphabet.
class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex);
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  bool add_prefix_space_;
  std::optional<RegexPattern> regex_;
};

// A literal string or a regex, with a delimiter behavior, possibly inverted.
class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(std::string literal, SplitBehavior behavior, bool invert);
  SplitPreTokenizer(RegexPattern regex, SplitBehavior behavior, bool invert);
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  std::string literal_;
  std::optional<RegexPattern> regex_;
  SplitBehavior behavior_;
  bool invert_;
};

// Numbers apart from the rest: each digit alone, or runs of digits together.
class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual_digits) : individual_digits_(individual_digits) {}
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  bool individual_digits_;
};

// Punctuation characters apart, as the behavior says.
class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  SplitBehavior behavior_;
};

// Whitespace: word characters and runs of other non-space characters (\w+|[^\w\s]+), spaces dropped.
class WhitespacePreTokenizer : public PreTokenizer {
 public:
  WhitespacePreTokenizer();
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  RegexPattern words_;
};

// Cut at whitespace, which is dropped.
class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<PreToken>& words) const override;
};

// sentencepiece's whitespace: spaces written as `replacement`, one put in front (always, only at
// the start of the text, or never), and words cut before each replacement.
class MetaspacePreTokenizer : public PreTokenizer {
 public:
  enum class Prepend { always, first, never };
  MetaspacePreTokenizer(char32_t replacement, Prepend prepend, bool split);
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  char32_t replacement_;
  std::string replacement_text_;
  Prepend prepend_;
  bool split_;
};

class PreTokenizerSequence : public PreTokenizer {
 public:
  explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<PreToken>& words) const override;

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace ft
