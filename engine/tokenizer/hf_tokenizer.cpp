#include "engine/tokenizer/hf_tokenizer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/unicode_text.h"

#include <algorithm>

namespace ft {

HfTokenizer::HfTokenizer(BpeModel model, HfTokenizerParts parts)
    : model_(std::move(model)), parts_(std::move(parts)), added_(parts_.added_tokens, parts_.normalizer.get()) {}

void HfTokenizer::encode_piece(std::string_view text, bool at_text_start, std::vector<int64_t>& ids) const {
  std::vector<PreToken> words{{std::string(text), at_text_start}};
  if (parts_.pre_tokenizer) parts_.pre_tokenizer->pre_tokenize(words);
  for (const auto& word : words) model_.tokenize(word.text, ids);
}

std::vector<int64_t> HfTokenizer::encode(std::string_view raw_text, bool add_special_tokens) const {
  const std::string text = utf8_lossy(raw_text);
  std::vector<int64_t> ids;
  for (const auto& segment : added_.split_original(text)) {
    if (segment.token_id >= 0) {
      ids.push_back(segment.token_id);
      continue;
    }
    std::string piece = text.substr(segment.start, segment.end - segment.start);
    if (parts_.normalizer) piece = parts_.normalizer->normalize(std::move(piece));
    for (const auto& inner : added_.split_normalized(piece)) {
      if (inner.token_id >= 0) {
        ids.push_back(inner.token_id);
      } else {
        encode_piece(std::string_view(piece).substr(inner.start, inner.end - inner.start), segment.start == 0 && inner.start == 0, ids);
      }
    }
  }
  if (add_special_tokens && parts_.post_processor) ids = parts_.post_processor->process(std::move(ids));
  return ids;
}

std::string HfTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (auto id : ids) {
    const std::string* token = token_of(id);
    if (!token) continue;  // tokenizers skips ids it does not know
    if (skip_special_tokens && added_.is_special(id)) continue;
    tokens.push_back(*token);
  }
  if (!parts_.decoder) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  std::string text;
  for (const auto& part : parts_.decoder->decode_chain(std::move(tokens))) text += part;
  return text;
}

std::optional<int64_t> HfTokenizer::id_of(const std::string& token) const {
  if (auto id = added_.id_of(token)) return id;
  return model_.id_of(token);
}

const std::string* HfTokenizer::token_of(int64_t id) const {
  if (const auto* token = added_.token_of(id)) return token;
  return model_.token_of(id);
}

int64_t HfTokenizer::vocab_size() const {
  int64_t size = model_.vocab_size();
  for (const auto& token : added_.tokens()) size = std::max(size, token.id + 1);
  return size;
}

}  // namespace ft
