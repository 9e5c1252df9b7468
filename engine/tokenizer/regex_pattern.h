// A regular expression compiled by Oniguruma, the engine the Hugging Face tokenizers library uses
// for its Split and ByteLevel patterns, so that \p{L}, \s, look-ahead and the rest mean exactly
// what they mean there.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ft {

class RegexPattern {
 public:
  // Throws ft::Error(invalid_input) naming `origin` and Oniguruma's message when it does not compile.
  RegexPattern(const std::string& pattern, const std::string& origin);

  // The byte ranges of the successive non-overlapping matches in valid UTF-8 `text`, as
  // tokenizers' onig find_iter yields them (an empty match right after a match is skipped).
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;
  // Whether the pattern matches somewhere in `text`.
  bool search(std::string_view text) const;

  const std::string& source() const { return source_; }

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
  std::string source_;
};

}  // namespace ft
