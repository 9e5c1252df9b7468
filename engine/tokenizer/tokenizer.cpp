#include "engine/tokenizer/tokenizer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/hf_tokenizer_files.h"

namespace ft {
namespace fs = std::filesystem;

Tokenizer Tokenizer::load_folder(const fs::path& folder) {
  if (fs::exists(folder / "tokenizer.json") || (!fs::exists(folder / "tokenizer.model") && fs::exists(folder / "vocab.json") &&
                                                fs::exists(folder / "merges.txt"))) {
    Tokenizer t;
    t.hugging_face_ = read_hf_tokenizer_folder(folder);
    return t;
  }
  if (fs::exists(folder / "tokenizer.model")) return load(folder / "tokenizer.model");
  throw Error(ErrorKind::not_found, folder.string() +
                                        ": no tokenizer (tokenizer.json, tokenizer.model, or vocab.json with merges.txt)");
}

Tokenizer Tokenizer::load(const fs::path& tokenizer_model) {
  Tokenizer t;
  t.sentencepiece_ = std::make_shared<const SentencePieceTokenizer>(SentencePieceTokenizer::load(tokenizer_model));
  return t;
}

Tokenizer::Tokenizer(SentencePieceModel model, const std::string& origin)
    : sentencepiece_(std::make_shared<const SentencePieceTokenizer>(std::move(model), origin)) {}

std::vector<int64_t> Tokenizer::encode(const std::string& text) const {
  return sentencepiece_ ? sentencepiece_->encode(text) : hugging_face_.tokenizer->encode(text);
}

std::vector<std::string> Tokenizer::pieces(const std::string& text) const {
  std::vector<std::string> out;
  for (auto id : encode(text)) out.push_back(piece(id));
  return out;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  if (sentencepiece_) return sentencepiece_->decode(ids);
  for (auto id : ids) piece(id);  // the same refusal of unknown ids as sentencepiece's
  return hugging_face_.tokenizer->decode(ids);
}

int64_t Tokenizer::vocab_size() const {
  return sentencepiece_ ? sentencepiece_->vocab_size() : hugging_face_.tokenizer->vocab_size();
}
int64_t Tokenizer::bos_id() const { return sentencepiece_ ? sentencepiece_->bos_id() : hugging_face_.bos_id; }
int64_t Tokenizer::eos_id() const { return sentencepiece_ ? sentencepiece_->eos_id() : hugging_face_.eos_id; }
int64_t Tokenizer::unk_id() const { return sentencepiece_ ? sentencepiece_->unk_id() : hugging_face_.unk_id; }
int64_t Tokenizer::pad_id() const { return sentencepiece_ ? sentencepiece_->pad_id() : hugging_face_.pad_id; }

const std::string& Tokenizer::piece(int64_t id) const {
  if (sentencepiece_) return sentencepiece_->piece(id);
  const auto* token = hugging_face_.tokenizer->token_of(id);
  if (!token) {
    throw Error(ErrorKind::invalid_argument,
                "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab_size()));
  }
  return *token;
}

const SentencePieceModel& Tokenizer::model() const {
  if (!sentencepiece_) throw Error(ErrorKind::unsupported, "this tokenizer is a Hugging Face tokenizer.json, not a sentencepiece model");
  return sentencepiece_->model();
}

void Tokenizer::save(const fs::path& folder, int64_t model_max_length) const {
  if (sentencepiece_) {
    sentencepiece_->save(folder / "tokenizer.model");
    write_hf_tokenizer_files(folder, *this, model_max_length);
  } else {
    write_hf_tokenizer_folder(hugging_face_, folder);
  }
}

}  // namespace ft
