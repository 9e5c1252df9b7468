// The sentencepiece model file (tokenizer.model): a protobuf ModelProto holding the pieces with
// their scores and types, the trainer settings that matter for encoding (model type, byte
// fallback, special ids) and the normalizer (a precompiled character map and whitespace rules).
//
// The engine reads the protobuf wire format itself rather than linking libsentencepiece:
// Debian's libsentencepiece carries its own protobuf 3.14 whose exported symbols collide with
// the protobuf 3.21 that libtorch loads, and the process aborts at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

// The character sentencepiece writes for a space inside pieces: U+2581 "▁".
constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";

struct SentencePiece {
  enum class Type { normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };
  std::string piece;
  float score = 0;
  Type type = Type::normal;
};

struct SentencePieceModel {
  enum class Algorithm { unigram = 1, bpe = 2, word = 3, character = 4 };

  std::vector<SentencePiece> pieces;
  Algorithm algorithm = Algorithm::unigram;
  bool byte_fallback = false;
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  std::string unk_surface = " \xE2\x81\x87 ";

  std::string normalizer_name;
  std::string precompiled_charsmap;  // empty: no character mapping (identity)
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// Throws ft::Error(invalid_input) prefixed with `origin` when the bytes are not a ModelProto.
SentencePieceModel parse_sentencepiece_model(const std::string& bytes, const std::string& origin);

// A ModelProto that parse_sentencepiece_model (and libsentencepiece) read back.
std::string serialize_sentencepiece_model(const SentencePieceModel& model);

}  // namespace ft
