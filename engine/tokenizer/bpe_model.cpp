#include "engine/tokenizer/bpe_model.h"

#include "engine/core/error.h"
#include "engine/core/utf8_text.h"
#include "engine/tokenizer/unicode_text.h"

#include <cstdio>
#include <queue>

namespace ft {
namespace {

// The largest token id a file may give: far above any published vocabulary (Gemma's 256,000),
// low enough that the id table a hostile file asks for stays small (4M entries).
constexpr int64_t kMaxTokenId = (int64_t{1} << 22) - 1;

uint64_t pair_key(int64_t left, int64_t right) { return (static_cast<uint64_t>(left) << 32) | static_cast<uint32_t>(right); }

std::string byte_token(uint8_t b) {
  char name[8];
  std::snprintf(name, sizeof name, "<0x%02X>", b);
  return name;
}

}  // namespace

BpeModel::BpeModel(std::unordered_map<std::string, int64_t> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options, const std::string& origin)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
  for (const auto& [token, id] : vocab_) {
    if (id < 0 || id > kMaxTokenId) throw Error(ErrorKind::invalid_input, origin + ": the token id " + std::to_string(id) + " is out of range");
    if (static_cast<size_t>(id) >= tokens_.size()) tokens_.resize(static_cast<size_t>(id) + 1);
    tokens_[static_cast<size_t>(id)] = token;
  }
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    // Named, not a structured binding: C++17 lambdas cannot capture those (clang refuses).
    const std::string& left = merges[rank].first;
    const std::string& right = merges[rank].second;
    auto id_in_vocab = [&](const std::string& token) {
      auto it = vocab_.find(token);
      if (it == vocab_.end()) {
        throw Error(ErrorKind::invalid_input, origin + ": merge " + std::to_string(rank) + " (" + quoted_excerpt(left + " " + right) +
                                                  "): " + quoted_excerpt(token) + " is not in the vocabulary");
      }
      return it->second;
    };
    const auto left_id = id_in_vocab(left);
    const auto right_id = id_in_vocab(right);
    merges_.emplace(pair_key(left_id, right_id), MergeResult{static_cast<uint32_t>(rank), id_in_vocab(left + right)});
  }
  if (options_.unk_token) {
    if (auto it = vocab_.find(*options_.unk_token); it != vocab_.end()) unk_id_ = it->second;
  }
  if (options_.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      auto it = vocab_.find(byte_token(static_cast<uint8_t>(b)));
      byte_ids_.push_back(it == vocab_.end() ? -1 : it->second);
    }
  }
}

BpeModel::BpeModel(BpeModel&& other) noexcept
    : vocab_(std::move(other.vocab_)),
      tokens_(std::move(other.tokens_)),
      merges_(std::move(other.merges_)),
      options_(std::move(other.options_)),
      unk_id_(other.unk_id_),
      byte_ids_(std::move(other.byte_ids_)) {}

std::optional<int64_t> BpeModel::id_of(const std::string& token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::token_of(int64_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens_.size()) return nullptr;
  const auto& token = tokens_[static_cast<size_t>(id)];
  return token.empty() && !vocab_.count(token) ? nullptr : &token;
}

std::vector<int64_t> BpeModel::merge_word(std::string_view word) const {
  // The initial symbols: each character's token, its bytes' tokens, or the unknown token
  // (consecutive unknown characters fused into one when fuse_unk).
  std::vector<int64_t> symbols;
  // An unknown character waits here, so that following ones can fuse with it; byte tokens
  // do not flush it (as in tokenizers).
  bool unknown_pending = false;
  std::string character;
  for (size_t pos = 0; pos < word.size();) {
    size_t n;
    utf8_decode_first(word.substr(pos), &n);
    character.assign(word.substr(pos, n));
    pos += n;
    if (auto it = vocab_.find(character); it != vocab_.end()) {
      if (unknown_pending) symbols.push_back(*unk_id_), unknown_pending = false;
      symbols.push_back(it->second);
      continue;
    }
    if (options_.byte_fallback) {
      bool all_bytes = true;
      for (char c : character) all_bytes = all_bytes && byte_ids_[static_cast<uint8_t>(c)] >= 0;
      if (all_bytes) {
        for (char c : character) symbols.push_back(byte_ids_[static_cast<uint8_t>(c)]);
        continue;
      }
    }
    if (!options_.unk_token) continue;  // tokenizers drops the character
    if (!unk_id_) throw Error(ErrorKind::invalid_input, "the unknown token " + quoted_excerpt(*options_.unk_token) + " is not in the vocabulary");
    if (unknown_pending && !options_.fuse_unk) symbols.push_back(*unk_id_);
    unknown_pending = true;
  }
  if (unknown_pending) symbols.push_back(*unk_id_);

  // Merge the lowest-ranked adjacent pair (leftmost on ties) until none is left.
  struct Candidate {
    uint32_t rank;
    size_t pos;
    int64_t id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  const size_t count = symbols.size();
  std::vector<long> next(count), prev(count);
  std::vector<bool> removed(count, false);
  for (size_t i = 0; i < count; ++i) prev[i] = static_cast<long>(i) - 1, next[i] = i + 1 < count ? static_cast<long>(i) + 1 : -1;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](long left) {
    if (left < 0 || next[left] < 0) return;
    auto it = merges_.find(pair_key(symbols[left], symbols[next[left]]));
    if (it != merges_.end()) queue.push({it->second.rank, static_cast<size_t>(left), it->second.id});
  };
  for (size_t i = 0; i + 1 < count; ++i) consider(static_cast<long>(i));
  while (!queue.empty()) {
    const auto top = queue.top();
    queue.pop();
    if (removed[top.pos] || next[top.pos] < 0) continue;
    const auto right = next[top.pos];
    // Stale when either side has changed since this candidate was queued.
    auto it = merges_.find(pair_key(symbols[top.pos], symbols[right]));
    if (it == merges_.end() || it->second.id != top.id) continue;
    symbols[top.pos] = top.id;
    removed[right] = true;
    next[top.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = static_cast<long>(top.pos);
    consider(prev[top.pos]);
    consider(static_cast<long>(top.pos));
  }
  std::vector<int64_t> ids;
  for (size_t i = 0; i < count; ++i) {
    if (!removed[i]) ids.push_back(symbols[i]);
  }
  return ids;
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& ids) const {
  if (word.empty()) return;
  if (options_.ignore_merges) {
    if (auto it = vocab_.find(std::string(word)); it != vocab_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() < kCacheableLength;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(std::string(word)); it != cache_.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  auto merged = merge_word(word);
  ids.insert(ids.end(), merged.begin(), merged.end());
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::move(merged));
  }
}

}  // namespace ft
