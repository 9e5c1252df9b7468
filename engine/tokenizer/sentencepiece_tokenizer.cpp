#include "engine/tokenizer/sentencepiece_tokenizer.h"

#include "engine/core/error.h"
#include "engine/core/file_io.h"

#include <queue>

namespace ft {
namespace {


// "<0x41>" -> 0x41, or -1.
int byte_piece_value(const std::string& piece) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  try {
    return std::stoi(piece.substr(3, 2), nullptr, 16);
  } catch (const std::exception&) {
    return -1;
  }
}

// Bytes made valid UTF-8: each byte that does not start a valid character becomes U+FFFD.
std::string valid_utf8(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    const size_t n = utf8_char_length(bytes);
    out += n ? bytes.substr(0, n) : std::string_view("\xEF\xBF\xBD");
    bytes.remove_prefix(n ? n : 1);
  }
  return out;
}

}  // namespace

SentencePieceTokenizer SentencePieceTokenizer::load(const std::filesystem::path& tokenizer_model) {
  const auto origin = tokenizer_model.string();
  auto bytes = read_file_bytes(tokenizer_model);
  SentencePieceTokenizer t(parse_sentencepiece_model(bytes, origin), origin);
  t.serialized_ = std::move(bytes);
  return t;
}

SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceModel model, const std::string& origin)
    : model_(std::move(model)), serialized_(serialize_sentencepiece_model(model_)), normalizer_(model_, origin) {
  if (model_.algorithm != SentencePieceModel::Algorithm::bpe) {
    throw Error(ErrorKind::unsupported, origin + ": only BPE sentencepiece models are supported (this one is " +
                                            (model_.algorithm == SentencePieceModel::Algorithm::unigram ? "unigram" : "word or char") + ")");
  }
  byte_ids_.fill(-1);
  for (size_t id = 0; id < model_.pieces.size(); ++id) {
    const auto& p = model_.pieces[id];
    const auto i = static_cast<int64_t>(id);
    if (p.type == SentencePiece::Type::normal || p.type == SentencePiece::Type::user_defined) {
      mergeable_.emplace(p.piece, i);
    } else if (p.type != SentencePiece::Type::unused) {
      reserved_.emplace(p.piece, i);
    }
    if (p.type == SentencePiece::Type::byte && byte_piece_value(p.piece) >= 0) byte_ids_[byte_piece_value(p.piece)] = i;
  }
}

int64_t SentencePieceTokenizer::id_of(std::string_view piece) const {
  const std::string key(piece);
  if (auto it = reserved_.find(key); it != reserved_.end()) return it->second;
  if (auto it = mergeable_.find(key); it != mergeable_.end()) return it->second;
  return -1;
}

std::vector<int64_t> SentencePieceTokenizer::segment(std::string_view text) const {
  // Start from single characters; repeatedly merge the adjacent pair whose union is the
  // highest-scoring piece (leftmost on ties) until no adjacent pair forms a piece.
  struct Symbol {
    int prev, next;
    std::string_view piece;
  };
  struct Candidate {
    float score;
    int left, right;
    size_t size;
    bool operator<(const Candidate& o) const { return score != o.score ? score < o.score : left > o.left; }
  };
  std::vector<Symbol> symbols;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::max<size_t>(1, utf8_char_length(text.substr(pos)));
    symbols.push_back({static_cast<int>(symbols.size()) - 1, static_cast<int>(symbols.size()) + 1, text.substr(pos, n)});
    pos += n;
  }
  if (!symbols.empty()) symbols.back().next = -1;
  std::priority_queue<Candidate> agenda;
  auto consider = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const std::string_view merged(symbols[left].piece.data(), symbols[left].piece.size() + symbols[right].piece.size());
    auto it = mergeable_.find(std::string(merged));
    if (it != mergeable_.end()) agenda.push({model_.pieces[it->second].score, left, right, merged.size()});
  };
  for (size_t i = 1; i < symbols.size(); ++i) consider(static_cast<int>(i) - 1, static_cast<int>(i));
  while (!agenda.empty()) {
    const auto top = agenda.top();
    agenda.pop();
    auto& left = symbols[top.left];
    auto& right = symbols[top.right];
    // Skip candidates made stale by an earlier merge of either side.
    if (left.piece.empty() || right.piece.empty() || left.piece.size() + right.piece.size() != top.size) continue;
    left.piece = std::string_view(left.piece.data(), top.size);
    right.piece = {};
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.left;
    consider(left.prev, top.left);
    consider(top.left, left.next);
  }
  std::vector<int64_t> ids;
  for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next) {
    const int64_t id = id_of(symbols[i].piece);
    if (id >= 0) {
      ids.push_back(id);
    } else if (model_.byte_fallback) {
      for (char c : symbols[i].piece) ids.push_back(byte_ids_[static_cast<uint8_t>(c)]);
    } else {
      ids.push_back(model_.unk_id);
    }
  }
  return ids;
}

std::vector<int64_t> SentencePieceTokenizer::encode(const std::string& text) const { return segment(normalizer_.normalize(text)); }

std::vector<std::string> SentencePieceTokenizer::pieces(const std::string& text) const {
  std::vector<std::string> out;
  for (auto id : encode(text)) out.push_back(piece(id));
  return out;
}

const SentencePiece& SentencePieceTokenizer::entry(int64_t id) const {
  if (id < 0 || id >= vocab_size()) {
    throw Error(ErrorKind::invalid_argument,
                "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab_size()));
  }
  return model_.pieces[static_cast<size_t>(id)];
}

const std::string& SentencePieceTokenizer::piece(int64_t id) const { return entry(id).piece; }

std::string SentencePieceTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string text, pending_bytes;
  bool at_start = true;
  for (auto id : ids) {
    const auto& p = entry(id);
    if (p.type == SentencePiece::Type::byte) {
      pending_bytes.push_back(static_cast<char>(byte_piece_value(p.piece)));
      at_start = false;
      continue;
    }
    text += valid_utf8(pending_bytes);
    pending_bytes.clear();
    if (p.type == SentencePiece::Type::control) continue;
    std::string surface = p.type == SentencePiece::Type::unknown ? model_.unk_surface : p.piece;
    for (size_t at; (at = surface.find(kSentencePieceSpace)) != std::string::npos;) surface.replace(at, kSentencePieceSpace.size(), " ");
    // The space the normalizer put before the first word is not part of the text; only the
    // first piece carries it.
    if (at_start && model_.add_dummy_prefix && !surface.empty() && surface.front() == ' ') surface.erase(0, 1);
    at_start = false;
    text += surface;
  }
  return text + valid_utf8(pending_bytes);
}

void SentencePieceTokenizer::save(const std::filesystem::path& tokenizer_model) const {
  write_file_atomically(tokenizer_model, serialized_);
}

}  // namespace ft
