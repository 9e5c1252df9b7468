// The normalizers of Hugging Face tokenizer.json files: each turns the text before it is split
// into words (Unicode forms, lowercasing, replacements, a prefix, sentencepiece's character map).
#pragma once

#include "engine/tokenizer/regex_pattern.h"
#include "engine/tokenizer/text_normalizer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // `text` is valid UTF-8; so is the result.
  virtual std::string normalize(std::string text) const = 0;
};

enum class UnicodeForm { nfc, nfd, nfkc, nfkd };
class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  std::string normalize(std::string text) const override;

 private:
  UnicodeForm form_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  std::string normalize(std::string text) const override;
};

// Removes whitespace (Rust's char::is_whitespace) at the start, the end, or both.
class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  std::string normalize(std::string text) const override;

 private:
  bool left_, right_;
};

// Puts `prefix` in front of any text that is not empty.
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string normalize(std::string text) const override;

 private:
  std::string prefix_;
};

// Replaces every occurrence of a literal string, or every match of a regex, by `content`.
class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::string literal, std::string content) : literal_(std::move(literal)), content_(std::move(content)) {}
  ReplaceNormalizer(RegexPattern regex, std::string content) : regex_(std::move(regex)), content_(std::move(content)) {}
  std::string normalize(std::string text) const override;

 private:
  std::string literal_;
  std::optional<RegexPattern> regex_;
  std::string content_;
};

// sentencepiece's precompiled character map, applied as tokenizers applies it: grapheme cluster
// by grapheme cluster (a whole cluster shorter than 6 bytes first, else each of its characters).
class PrecompiledNormalizer : public Normalizer {
 public:
  // `charsmap` is the raw map (tokenizer.json stores it in base64).
  PrecompiledNormalizer(const std::string& charsmap, const std::string& origin);
  std::string normalize(std::string text) const override;

 private:
  TextNormalizer map_;
};

class NormalizerSequence : public Normalizer {
 public:
  explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  std::string normalize(std::string text) const override;

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace ft
