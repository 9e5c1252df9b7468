// A Hugging Face tokenizer (tokenizer.json, or vocab.json + merges.txt) as the tokenizers library
// runs it: added tokens found first, then each remaining piece normalized, pre-tokenized into
// words and split by the BPE model; a post-processor may add special tokens; decoding maps ids
// back to token strings and runs the decoders.
#pragma once

#include "engine/tokenizer/added_vocabulary.h"
#include "engine/tokenizer/bpe_model.h"
#include "engine/tokenizer/normalizers.h"
#include "engine/tokenizer/post_processors.h"
#include "engine/tokenizer/pre_tokenizers.h"
#include "engine/tokenizer/token_decoders.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

struct HfTokenizerParts {
  std::unique_ptr<Normalizer> normalizer;      // each may be null: that step does nothing
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<TokenDecoder> decoder;       // null: tokens joined with spaces
  std::unique_ptr<PostProcessor> post_processor;
  std::vector<AddedToken> added_tokens;
};

class HfTokenizer {
 public:
  HfTokenizer(BpeModel model, HfTokenizerParts parts);

  // Invalid UTF-8 in `text` is first replaced by U+FFFD (as Python's errors="replace" does).
  // The post-processor's special tokens only with add_special_tokens.
  std::vector<int64_t> encode(std::string_view text, bool add_special_tokens = false) const;
  // Special added tokens are left out when skip_special_tokens.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true) const;

  std::optional<int64_t> id_of(const std::string& token) const;  // added tokens first, as tokenizers
  const std::string* token_of(int64_t id) const;                  // nullptr: no such id
  // One past the largest id of the model and the added tokens.
  int64_t vocab_size() const;

 private:
  void encode_piece(std::string_view text, bool at_text_start, std::vector<int64_t>& ids) const;

  BpeModel model_;
  HfTokenizerParts parts_;
  AddedVocabulary added_;
};

}  // namespace ft
