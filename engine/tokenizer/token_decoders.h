// The decoders of Hugging Face tokenizer.json files: each rewrites the list of token strings on
// the way back to text (bytes back from the byte-level alphabet or from <0xXX> tokens, "▁" back
// to spaces, all joined into one).
#pragma once

#include "engine/tokenizer/regex_pattern.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class TokenDecoder {
 public:
  virtual ~TokenDecoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

// The byte-level alphabet back to bytes, all tokens joined, invalid UTF-8 replaced.
class ByteLevelDecoder : public TokenDecoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// Runs of <0xXX> tokens back to their bytes; a run that is not valid UTF-8 becomes one U+FFFD per byte.
class ByteFallbackDecoder : public TokenDecoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// All tokens joined into one.
class FuseDecoder : public TokenDecoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

// Up to `start` leading and `stop` trailing `content` characters removed from each token.
class StripDecoder : public TokenDecoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public TokenDecoder {
 public:
  ReplaceDecoder(std::string literal, std::string content) : literal_(std::move(literal)), content_(std::move(content)) {}
  ReplaceDecoder(RegexPattern regex, std::string content) : regex_(std::move(regex)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string literal_;
  std::optional<RegexPattern> regex_;
  std::string content_;
};

// `replacement` back to spaces; in the first token it is dropped unless the scheme never prepends.
class MetaspaceDecoder : public TokenDecoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool prepends) : replacement_(replacement), prepends_(prepends) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t replacement_;
  bool prepends_;
};

class DecoderSequence : public TokenDecoder {
 public:
  explicit DecoderSequence(std::vector<std::unique_ptr<TokenDecoder>> steps) : steps_(std::move(steps)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::vector<std::unique_ptr<TokenDecoder>> steps_;
};

}  // namespace ft
