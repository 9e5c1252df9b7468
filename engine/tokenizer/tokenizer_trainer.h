// Training a sentencepiece BPE tokenizer on the texts a model trained from scratch will read, so
// that its vocabulary fits them. The result is a tokenizer.model that ft::Tokenizer encodes with
// and that libsentencepiece (and transformers' LlamaTokenizer) load as well.
#pragma once

#include "engine/tokenizer/sentencepiece_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

// The pieces, in order: "<unk>" (unknown), "<s>" and "</s>" (control), the 256 byte pieces
// "<0x00>".."<0xFF>" for byte fallback, the learned merges (first merge scored highest), then
// every character of the texts that is not a piece yet, scored below every merge. Characters
// must be pieces of their own: one that is not falls back to its bytes even where it stands alone.
//
// Training normalizes each text as the tokenizer will (spaces become "▁", a "▁" goes before the
// first word), counts the words (each keeps its leading "▁"), then merges the most frequent
// adjacent pair of symbols, ties going to the lexicographically smallest pair, until the
// vocabulary holds vocab_size pieces or no pair occurs twice. The same texts and vocab_size
// always give the same model.
//
// Throws ft::Error(invalid_input, param "training_file") when the texts hold nothing but
// whitespace, and ft::Error(invalid_argument, param "vocab_size") when vocab_size cannot hold the
// 259 special and byte pieces and every distinct character of the texts.
SentencePieceModel train_bpe_tokenizer(const std::vector<std::string>& texts, int64_t vocab_size);

}  // namespace ft
