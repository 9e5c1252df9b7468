#include "engine/tokenizer/tokenizer_trainer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/text_normalizer.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace ft {
namespace {


// sentencepiece's default max_sentencepiece_length, in characters: it keeps a long string that
// happens to repeat (a URL, a licence line glued without spaces) from taking rows of the vocabulary.
constexpr int kMaxPieceCharacters = 16;

// The model before training: special and byte pieces, and sentencepiece's settings for a BPE
// model with byte fallback and no character map (text is kept as written).
SentencePieceModel model_without_merges() {
  SentencePieceModel m;
  m.algorithm = SentencePieceModel::Algorithm::bpe;
  m.byte_fallback = true;
  m.unk_id = 0;
  m.bos_id = 1;
  m.eos_id = 2;
  m.pad_id = -1;
  m.normalizer_name = "identity";
  m.add_dummy_prefix = true;
  m.remove_extra_whitespaces = true;
  m.escape_whitespaces = true;
  m.pieces.push_back({"<unk>", 0, SentencePiece::Type::unknown});
  m.pieces.push_back({"<s>", 0, SentencePiece::Type::control});
  m.pieces.push_back({"</s>", 0, SentencePiece::Type::control});
  for (int byte = 0; byte < 256; ++byte) {
    char name[7];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    m.pieces.push_back({name, 0, SentencePiece::Type::byte});
  }
  return m;
}

// How often each word occurs; std::less<> finds a word by string_view without copying it.
using WordCounts = std::map<std::string, int64_t, std::less<>>;

// How often each word occurs in the normalized texts. Normalized text starts with "▁" and has
// no two in a row, so cutting before every "▁" gives the words with their leading "▁".
WordCounts count_words(const std::vector<std::string>& texts, const TextNormalizer& normalizer) {
  WordCounts counts;
  for (const auto& text : texts) {
    const std::string normalized = normalizer.normalize(text);
    std::string_view rest(normalized);
    while (!rest.empty()) {
      const std::string_view word = rest.substr(0, rest.find(kSentencePieceSpace, 1));
      rest.remove_prefix(word.size());
      if (auto it = counts.find(word); it != counts.end()) ++it->second;
      else counts.emplace(word, 1);
    }
  }
  return counts;
}

struct Merge {
  std::string text;
  bool new_piece;  // false when another pair already spelled the same text
};

// The words as sequences of symbol ids, the count of every adjacent pair of symbols over all
// words, and a queue of pairs by count. A merge rewrites only the words that hold the merged pair
// and updates the counts of their pairs, so its cost follows how often the pair occurs, not the
// size of the text. The queue is lazy: a pair is pushed again whenever its count changes, and an
// entry whose count is no longer the pair's is dropped when it comes up.
class PairMerger {
 public:
  PairMerger(const WordCounts& word_counts, const std::vector<SentencePiece>& reserved);
  PairMerger(const PairMerger&) = delete;
  PairMerger& operator=(const PairMerger&) = delete;

  // Every character of the words, the most frequent first (ties in byte order).
  std::vector<std::string> characters_by_frequency() const;
  // Merges every occurrence of the most frequent pair, or gives nullopt when no pair occurs twice.
  std::optional<Merge> merge_most_frequent_pair();

 private:
  struct Word {
    std::vector<int32_t> symbols;
    int64_t count;
  };
  struct Candidate {
    int64_t count;
    int32_t left, right;
  };
  // Lower count first, then the lexicographically larger pair, so the queue's top is the most
  // frequent pair and ties go to the smallest.
  struct LowerPriority {
    const std::vector<std::string>* texts;
    bool operator()(const Candidate& a, const Candidate& b) const {
      if (a.count != b.count) return a.count < b.count;
      const auto& t = *texts;
      if (t[a.left] != t[b.left]) return t[a.left] > t[b.left];
      return t[a.right] > t[b.right];
    }
  };

  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  int32_t intern(const std::string& text, int characters);
  bool mergeable(int32_t left, int32_t right) const;
  // Adds (sign 1) or removes (sign -1) the pairs of one word to the pending count changes. When
  // adding, the word is recorded under its pairs that hold `new_symbol` (all its pairs when that
  // is -1): its other pairs were there before the merge and are recorded already.
  void count_pairs(size_t word, int64_t sign, int32_t new_symbol);
  // Applies the pending count changes and queues the pairs whose count changed. A rewritten word
  // is removed and added whole, so most of its pairs change by nothing and are not queued again.
  void apply_count_changes();

  std::vector<std::string> symbol_texts_;
  std::vector<int> symbol_characters_;
  std::unordered_map<std::string, int32_t> symbol_ids_;
  std::vector<int64_t> character_counts_;  // by symbol id; the characters are the first symbols
  std::unordered_set<std::string> reserved_;
  std::vector<Word> words_;
  std::unordered_map<uint64_t, int64_t> pair_counts_;
  std::unordered_map<uint64_t, std::vector<size_t>> pair_words_;  // may hold words the pair left
  std::unordered_map<uint64_t, int64_t> count_changes_;
  std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue_{LowerPriority{&symbol_texts_}};
};

PairMerger::PairMerger(const WordCounts& word_counts, const std::vector<SentencePiece>& reserved) {
  for (const auto& p : reserved) reserved_.insert(p.piece);
  for (const auto& [text, count] : word_counts) {
    Word word{{}, count};
    for (size_t pos = 0; pos < text.size();) {
      // Normalized text is valid UTF-8; the max only guards the loop.
      const size_t n = std::max<size_t>(1, utf8_char_length(std::string_view(text).substr(pos)));
      const int32_t symbol = intern(text.substr(pos, n), 1);
      character_counts_.resize(symbol_texts_.size());
      character_counts_[symbol] += count;
      word.symbols.push_back(symbol);
      pos += n;
    }
    words_.push_back(std::move(word));
    count_pairs(words_.size() - 1, 1, -1);
  }
  apply_count_changes();
}

int32_t PairMerger::intern(const std::string& text, int characters) {
  auto [it, added] = symbol_ids_.emplace(text, static_cast<int32_t>(symbol_texts_.size()));
  if (added) {
    symbol_texts_.push_back(text);
    symbol_characters_.push_back(characters);
  }
  return it->second;
}

bool PairMerger::mergeable(int32_t left, int32_t right) const {
  if (symbol_characters_[left] + symbol_characters_[right] > kMaxPieceCharacters) return false;
  // A merge must not spell a special or byte piece ("<s>", "<0x41>" written out in the text):
  // two pieces with one text make the text's id ambiguous.
  const auto& l = symbol_texts_[left];
  const auto& r = symbol_texts_[right];
  return l.front() != '<' || r.back() != '>' || !reserved_.count(l + r);
}

void PairMerger::count_pairs(size_t word, int64_t sign, int32_t new_symbol) {
  const auto& w = words_[word];
  for (size_t i = 1; i < w.symbols.size(); ++i) {
    const int32_t left = w.symbols[i - 1], right = w.symbols[i];
    if (!mergeable(left, right)) continue;
    const uint64_t k = key(left, right);
    count_changes_[k] += sign * w.count;
    if (sign > 0 && (new_symbol < 0 || left == new_symbol || right == new_symbol)) pair_words_[k].push_back(word);
  }
}

void PairMerger::apply_count_changes() {
  for (const auto& [k, change] : count_changes_) {
    if (change == 0) continue;
    const int64_t count = pair_counts_[k] += change;
    const auto left = static_cast<int32_t>(k >> 32), right = static_cast<int32_t>(k & 0xffffffffu);
    if (count == 0) pair_counts_.erase(k);
    else if (count >= 2) queue_.push({count, left, right});
  }
  count_changes_.clear();
}

std::vector<std::string> PairMerger::characters_by_frequency() const {
  std::vector<int32_t> ids(character_counts_.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    if (character_counts_[a] != character_counts_[b]) return character_counts_[a] > character_counts_[b];
    return symbol_texts_[a] < symbol_texts_[b];
  });
  std::vector<std::string> characters;
  for (int32_t id : ids) characters.push_back(symbol_texts_[id]);
  return characters;
}

std::optional<Merge> PairMerger::merge_most_frequent_pair() {
  std::optional<Candidate> best;
  while (!best && !queue_.empty()) {
    const Candidate top = queue_.top();
    queue_.pop();
    auto it = pair_counts_.find(key(top.left, top.right));
    if (it != pair_counts_.end() && it->second == top.count) best = top;
  }
  if (!best) return std::nullopt;
  const int32_t left = best->left, right = best->right;
  const std::string text = symbol_texts_[left] + symbol_texts_[right];
  const bool new_piece = !symbol_ids_.count(text);
  const int32_t merged = intern(text, symbol_characters_[left] + symbol_characters_[right]);

  std::vector<size_t> words;
  if (auto holders = pair_words_.find(key(left, right)); holders != pair_words_.end()) {
    words = std::move(holders->second);
    pair_words_.erase(holders);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  for (size_t word : words) {
    auto& symbols = words_[word].symbols;
    auto at = std::adjacent_find(symbols.begin(), symbols.end(),
                                 [&](int32_t a, int32_t b) { return a == left && b == right; });
    if (at == symbols.end()) continue;  // an earlier merge took the pair out of this word
    count_pairs(word, -1, -1);
    size_t kept = 0;
    for (size_t i = 0; i < symbols.size(); ++i) {
      const bool pair_here = i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right;
      symbols[kept++] = pair_here ? merged : symbols[i];
      if (pair_here) ++i;
    }
    symbols.resize(kept);
    count_pairs(word, 1, merged);
  }
  apply_count_changes();
  return Merge{text, new_piece};
}

// Appends `texts` as normal pieces, each scored one below the normal piece before it, so that
// the tokenizer, which merges the highest-scoring piece first, follows the order given.
void append_normal_pieces(SentencePieceModel& model, const std::vector<std::string>& texts, size_t reserved) {
  for (const auto& text : texts) {
    const auto rank = static_cast<float>(model.pieces.size() - reserved);
    model.pieces.push_back({text, -rank, SentencePiece::Type::normal});
  }
}

}  // namespace

SentencePieceModel train_bpe_tokenizer(const std::vector<std::string>& texts, int64_t vocab_size) {
  SentencePieceModel model = model_without_merges();
  const size_t reserved = model.pieces.size();
  const auto words = count_words(texts, TextNormalizer(model, "the tokenizer trainer"));
  if (words.empty()) {
    throw Error(ErrorKind::invalid_input,
                "there is no text to train a tokenizer on: the training texts are empty or only whitespace",
                "training_file");
  }
  PairMerger merger(words, model.pieces);
  const auto characters = merger.characters_by_frequency();
  const auto minimum = static_cast<int64_t>(reserved + characters.size());
  if (vocab_size < minimum) {
    throw Error(ErrorKind::invalid_argument,
                "vocab_size " + std::to_string(vocab_size) + " is too small for the training texts: the tokenizer " +
                    "needs " + std::to_string(reserved) + " special and byte pieces and one piece for each of the " +
                    std::to_string(characters.size()) + " distinct characters, at least " + std::to_string(minimum),
                "vocab_size");
  }
  std::vector<std::string> merges;
  while (minimum + static_cast<int64_t>(merges.size()) < vocab_size) {
    auto merge = merger.merge_most_frequent_pair();
    if (!merge) break;
    if (merge->new_piece) merges.push_back(std::move(merge->text));
  }
  append_normal_pieces(model, merges, reserved);
  append_normal_pieces(model, characters, reserved);
  return model;
}

}  // namespace ft
