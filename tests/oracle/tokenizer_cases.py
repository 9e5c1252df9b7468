"""sentencepiece as the live oracle for the engine's tokenizer.model reader.

usage: tokenizer_cases.py --list
       tokenizer_cases.py OUT_DIR [CASE ...]

For every case, sentencepiece trains a BPE tokenizer.model with byte fallback (with and without
a dummy prefix, identity and NFKC normalization, digits split or not) on seeded varied text,
then encodes at least 10,000 other lines of such text: ASCII, runs of spaces, tabs and newlines,
accents (composed and combining), full-width forms, CJK, emoji, and invalid UTF-8. Writes
OUT_DIR/<case>.model and OUT_DIR/<case>.jsonl, one {"hex": the line's bytes, "ids": [...]} per
line, which build/tools/tokenizer-parity reads.
"""
import io
import json
import os
import random
import sys

import sentencepiece as spm

import case_script

LINES = 10_000
TRAINING_LINES = 4_000

# name: trainer options beyond the common ones
CASES = {
    "bpe-nmt-nfkc-dummy-prefix": dict(normalization_rule_name="nmt_nfkc", add_dummy_prefix=True),
    "bpe-identity-dummy-prefix": dict(normalization_rule_name="identity", add_dummy_prefix=True,
                                      remove_extra_whitespaces=False, split_digits=True),
    "bpe-identity-no-prefix": dict(normalization_rule_name="identity", add_dummy_prefix=False,
                                   remove_extra_whitespaces=False),
    "bpe-nfkc-no-prefix": dict(normalization_rule_name="nfkc", add_dummy_prefix=False, split_digits=True),
}

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have "
         "an they you were her she there been one all we their has would when if so no will what can out up "
         "function return value model token batch learning rate epoch prompt completion").split()
ACCENTED = "déjà vu naïve café façade Ærøskøbing São Paulo Straße İstanbul ångström coöperate señor crème brûlée".split()
COMBINING = ["e\u0301", "a\u0308", "n\u0303", "o\u0302", "u\u0308ber"]
FULL_WIDTH = ["ＡＢＣ", "１２３", "（ｘ）", "ｶﾀｶﾅ", "㍻", "ﬁle", "①②"]
CJK = ["中文", "日本語のテキスト", "한국어", "漢字と仮名", "机器学习", "東京"]
EMOJI = ["✓", "🙂", "👍🏽", "👩‍💻", "🇫🇷", "🎉🎉", "❤️"]
SPACES = [" ", "  ", "   ", "\t", "\t\t", "\n", " \n ", "\r\n", "\u3000", "\u00a0"]
INVALID = [b"\xff", b"\xc3", b"\xe2\x82", b"\x80\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]


def token(rng):
    kind = rng.random()
    if kind < 0.55:
        word = rng.choice(WORDS)
        return word.capitalize() if rng.random() < 0.15 else word
    if kind < 0.65:
        return str(rng.randint(0, 10 ** rng.randint(1, 7)))
    if kind < 0.73:
        return rng.choice(ACCENTED)
    if kind < 0.77:
        return rng.choice(COMBINING)
    if kind < 0.81:
        return rng.choice(FULL_WIDTH)
    if kind < 0.89:
        return rng.choice(CJK)
    if kind < 0.95:
        return rng.choice(EMOJI)
    return rng.choice(".,;:!?-()[]{}\"'#@$%&*/\\+=<>|~`^_")


def line(rng, allow_invalid):
    """One line of text as bytes: tokens joined by a space, or by a run of whitespace."""
    parts = []
    if rng.random() < 0.1:
        parts.append(rng.choice(SPACES))
    for _ in range(rng.randint(1, 14)):
        parts.append(token(rng))
        parts.append(" " if rng.random() < 0.8 else rng.choice(SPACES))
    if rng.random() < 0.7:
        parts.pop()
    data = "".join(parts).encode("utf-8")
    if allow_invalid and rng.random() < 0.05:
        at = rng.randint(0, len(data))
        data = data[:at] + rng.choice(INVALID) + data[at:]
    return data


def train(options, seed):
    rng = random.Random(seed)
    corpus = [line(rng, False).decode("utf-8").replace("\n", " ") for _ in range(TRAINING_LINES)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=model, model_type="bpe",
                                   vocab_size=1000, byte_fallback=True, character_coverage=0.9995,
                                   unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2, **options)
    return model.getvalue()


def make_case(out, name, seed):
    model = train(CASES[name], seed)
    with open(os.path.join(out, name + ".model"), "wb") as f:
        f.write(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    rng = random.Random(seed + 1)
    with open(os.path.join(out, name + ".jsonl"), "w") as f:
        for _ in range(LINES):
            data = line(rng, True)
            f.write(json.dumps({"hex": data.hex(), "ids": sp.encode(data)}) + "\n")
    print(f"{name}: {sp.get_piece_size()} pieces, {LINES} lines encoded by sentencepiece {spm.__version__}")


def main(argv):
    return case_script.run(argv, __doc__, list(CASES), lambda out, name, index: make_case(out, name, 2000 + index))

if __name__ == "__main__":
    sys.exit(main(sys.argv))
