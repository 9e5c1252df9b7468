#include "engine/tokenizer/sentencepiece_model.h"

#include "engine/core/error.h"

#include <cstring>
#include <string_view>

namespace ft {
namespace {

// A cursor over protobuf wire format that fails with the file's name on malformed input.
class WireReader {
 public:
  WireReader(std::string_view bytes, const std::string& origin) : bytes_(bytes), origin_(origin) {}

  bool done() const { return pos_ >= bytes_.size(); }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (done()) fail("truncated varint");
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
    fail("varint longer than 10 bytes");
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > bytes_.size() - pos_) fail("length-delimited field runs past the end");
    auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  float fixed32_float() {
    if (bytes_.size() - pos_ < 4) fail("truncated fixed32");
    float f;
    std::memcpy(&f, bytes_.data() + pos_, 4);
    pos_ += 4;
    return f;
  }
  void skip(uint32_t wire_type) {
    switch (wire_type) {
      case 0: varint(); return;
      case 1: advance(8); return;
      case 2: bytes(); return;
      case 5: advance(4); return;
      default: fail("unsupported wire type " + std::to_string(wire_type));
    }
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::invalid_input, origin_ + ": not a sentencepiece model (" + problem + ")");
  }

 private:
  void advance(size_t n) {
    if (bytes_.size() - pos_ < n) fail("truncated field");
    pos_ += n;
  }
  std::string_view bytes_;
  size_t pos_ = 0;
  const std::string& origin_;
};

// Calls visit(field_number, wire_type, reader) for every field of a message.
template <typename Visit>
void for_each_field(std::string_view message, const std::string& origin, Visit visit) {
  WireReader r(message, origin);
  while (!r.done()) {
    const uint64_t tag = r.varint();
    visit(static_cast<uint32_t>(tag >> 3), static_cast<uint32_t>(tag & 7), r);
  }
}

SentencePiece parse_piece(std::string_view message, const std::string& origin) {
  SentencePiece p;
  for_each_field(message, origin, [&](uint32_t field, uint32_t wire, WireReader& r) {
    if (field == 1 && wire == 2) p.piece = std::string(r.bytes());
    else if (field == 2 && wire == 5) p.score = r.fixed32_float();
    else if (field == 3 && wire == 0) p.type = static_cast<SentencePiece::Type>(r.varint());
    else r.skip(wire);
  });
  return p;
}

void parse_trainer_spec(std::string_view message, const std::string& origin, SentencePieceModel& m) {
  for_each_field(message, origin, [&](uint32_t field, uint32_t wire, WireReader& r) {
    if (wire != 0) {
      if (field == 44 && wire == 2) m.unk_surface = std::string(r.bytes());
      else r.skip(wire);
      return;
    }
    const auto v = r.varint();
    switch (field) {
      case 3: m.algorithm = static_cast<SentencePieceModel::Algorithm>(v); break;
      case 35: m.byte_fallback = v != 0; break;
      case 40: m.unk_id = static_cast<int32_t>(v); break;
      case 41: m.bos_id = static_cast<int32_t>(v); break;
      case 42: m.eos_id = static_cast<int32_t>(v); break;
      case 43: m.pad_id = static_cast<int32_t>(v); break;
      default: break;
    }
  });
}

void parse_normalizer_spec(std::string_view message, const std::string& origin, SentencePieceModel& m) {
  for_each_field(message, origin, [&](uint32_t field, uint32_t wire, WireReader& r) {
    if (field == 1 && wire == 2) m.normalizer_name = std::string(r.bytes());
    else if (field == 2 && wire == 2) m.precompiled_charsmap = std::string(r.bytes());
    else if (field == 3 && wire == 0) m.add_dummy_prefix = r.varint() != 0;
    else if (field == 4 && wire == 0) m.remove_extra_whitespaces = r.varint() != 0;
    else if (field == 5 && wire == 0) m.escape_whitespaces = r.varint() != 0;
    else r.skip(wire);
  });
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void put_tag(std::string& out, uint32_t field, uint32_t wire) { put_varint(out, (field << 3) | wire); }
void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_tag(out, field, 2);
  put_varint(out, bytes.size());
  out.append(bytes);
}
// int32 fields are encoded as sign-extended 64-bit varints, so -1 takes ten bytes.
void put_int(std::string& out, uint32_t field, int64_t v) {
  put_tag(out, field, 0);
  put_varint(out, static_cast<uint64_t>(v));
}

}  // namespace

SentencePieceModel parse_sentencepiece_model(const std::string& bytes, const std::string& origin) {
  SentencePieceModel m;
  for_each_field(bytes, origin, [&](uint32_t field, uint32_t wire, WireReader& r) {
    if (wire != 2) return r.skip(wire);
    const auto message = r.bytes();
    if (field == 1) m.pieces.push_back(parse_piece(message, origin));
    else if (field == 2) parse_trainer_spec(message, origin, m);
    else if (field == 3) parse_normalizer_spec(message, origin, m);
  });
  if (m.pieces.empty()) throw Error(ErrorKind::invalid_input, origin + ": not a sentencepiece model (no pieces)");
  const auto n = static_cast<int32_t>(m.pieces.size());
  for (auto [name, id] : {std::pair{"unk_id", m.unk_id}, {"bos_id", m.bos_id}, {"eos_id", m.eos_id}, {"pad_id", m.pad_id}}) {
    if (id < -1 || id >= n) {
      throw Error(ErrorKind::invalid_input, origin + ": " + name + " " + std::to_string(id) + " is outside the " +
                                                std::to_string(n) + " pieces");
    }
  }
  return m;
}

std::string serialize_sentencepiece_model(const SentencePieceModel& m) {
  std::string out;
  for (const auto& p : m.pieces) {
    std::string piece;
    put_bytes(piece, 1, p.piece);
    put_tag(piece, 2, 5);
    char score[4];
    std::memcpy(score, &p.score, 4);
    piece.append(score, 4);
    if (p.type != SentencePiece::Type::normal) put_int(piece, 3, static_cast<int>(p.type));
    put_bytes(out, 1, piece);
  }
  std::string trainer;
  put_int(trainer, 3, static_cast<int>(m.algorithm));
  put_int(trainer, 4, static_cast<int64_t>(m.pieces.size()));
  put_int(trainer, 35, m.byte_fallback);
  put_int(trainer, 40, m.unk_id);
  put_int(trainer, 41, m.bos_id);
  put_int(trainer, 42, m.eos_id);
  put_int(trainer, 43, m.pad_id);
  put_bytes(trainer, 44, m.unk_surface);
  put_bytes(out, 2, trainer);
  std::string normalizer;
  put_bytes(normalizer, 1, m.normalizer_name);
  if (!m.precompiled_charsmap.empty()) put_bytes(normalizer, 2, m.precompiled_charsmap);
  put_int(normalizer, 3, m.add_dummy_prefix);
  put_int(normalizer, 4, m.remove_extra_whitespaces);
  put_int(normalizer, 5, m.escape_whitespaces);
  put_bytes(out, 3, normalizer);
  return out;
}

}  // namespace ft
