"""Encoding speed of the engine's tokenizer against Hugging Face tokenizers (Rust, one thread).

usage: tokenizer_benchmark.py TOKENIZER_PARITY MODEL_FOLDER [MEGABYTES]

Writes MEGABYTES (default 10) of varied text (tests/oracle/tokenizer_cases.py's lines, valid
UTF-8, one text per line), has `tokenizer-parity --time` encode it line by line, and tokenizers
encode it line by line and with encode_batch (TOKENIZERS_PARALLELISM=false: one thread), and
prints the seconds and the ratio engine / tokenizers. Not a test: timings depend on the machine.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracle"))
from tokenizer_cases import line  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from tokenizers.implementations import ByteLevelBPETokenizer  # noqa: E402


def load(folder):
    if os.path.exists(os.path.join(folder, "tokenizer.json")):
        return Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    return ByteLevelBPETokenizer(os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt"))


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    tool, folder = argv[1], argv[2]
    megabytes = float(argv[3]) if len(argv) == 4 else 10.0
    rng = random.Random(7)
    lines, size = [], 0
    while size < megabytes * 1e6:
        text = line(rng, False).decode("utf-8").replace("\n", " ").replace("\r", " ")
        lines.append(text)
        size += len(text.encode()) + 1
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        engine = json.loads(subprocess.run([tool, "--time", folder, path], check=True, capture_output=True, text=True).stdout)
        tok = load(folder)
        start = time.perf_counter()
        tokens = sum(len(tok.encode(text, add_special_tokens=False).ids) for text in lines)
        one_by_one = time.perf_counter() - start
        start = time.perf_counter()
        tok.encode_batch(lines, add_special_tokens=False)
        batch = time.perf_counter() - start
    finally:
        os.unlink(path)
    print(f"{folder}: {size / 1e6:.1f} MB, {len(lines)} lines, {tokens} tokens (engine: {engine['tokens']})")
    print(f"  engine                         {engine['seconds']:.2f} s")
    print(f"  tokenizers, line by line       {one_by_one:.2f} s   ratio engine/tokenizers {engine['seconds'] / one_by_one:.2f}")
    print(f"  tokenizers, encode_batch (1)   {batch:.2f} s   ratio engine/tokenizers {engine['seconds'] / batch:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
