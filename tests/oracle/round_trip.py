"""Round trip: a model the engine trained and exported loads in transformers as the same model.

usage: round_trip.py FT_HOST HF_PARITY WORK_DIR MODEL

MODEL is a checkpoint folder to fine-tune or an architecture preset to train from scratch (with a
tokenizer the engine trains). ft-host trains it for one epoch on a small copy task; then
AutoModelForCausalLM and AutoTokenizer load the exported folder, transformers computes logits,
loss and gradients from it and AutoTokenizer the ids of a few texts, and hf-parity checks that
the engine computes the same from the same folder (logits and gradients within 1e-5 relative).
Also checks that AutoTokenizer puts BOS in front, as the engine's data template does.
Exits 0 when everything matches, 1 when something differs, 2 when a step cannot run.
"""
import os
import random
import shutil
import subprocess
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.utils import logging as transformers_logging

import ft_host as ft_host_commands
import tokenizer_cases
from reference import batch_reference, write_reference

# The data's own kind of text, then varied text (whitespace runs, tabs, newlines, accents, full-width
# forms, CJK, emoji) as the tokenizer oracle makes it.
TEXTS = ["copy: a b c d =", " h g f e", "  two spaces\tand a tab\nand a newline", ""]
VARIED_TEXTS = 300


def texts():
    rng = random.Random(11)
    return TEXTS + [tokenizer_cases.line(rng, False).decode("utf-8") for _ in range(VARIED_TEXTS)]


def tokenizer_check(folder):
    tokenizer = AutoTokenizer.from_pretrained(folder)
    all_texts = texts()
    ids = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in all_texts]
    with_bos = tokenizer(all_texts[0])["input_ids"]
    if with_bos != [tokenizer.bos_token_id] + ids[0]:
        raise SystemExit(f"AutoTokenizer({folder}) gives {with_bos} with special tokens; expected BOS and {ids[0]}")
    return {"texts": all_texts, "ids": ids, "bos_id": tokenizer.bos_token_id, "eos_id": tokenizer.eos_token_id}


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    ft_host, hf_parity, work, model = argv[1:]
    transformers_logging.disable_progress_bar()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    exported = ft_host_commands.fine_tune(ft_host, work, model)
    folder = os.path.join(work, "exported")
    shutil.copytree(exported, folder)
    hf_model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    vocab = hf_model.config.vocab_size
    ids = torch.randint(3, vocab, (2, 16), generator=torch.Generator().manual_seed(5))
    write_reference(folder, batch_reference(hf_model, ids), tokenizer_check(folder),
                    model_class=type(hf_model).__name__, trained_by="finetune (ft-host start), 1 epoch")
    print(f"{model}: trained by the engine, loaded by transformers as {type(hf_model).__name__}")
    result = subprocess.run([hf_parity, "--tolerance", "1e-5", folder], capture_output=True, text=True)
    print(result.stdout + result.stderr)
    return 0 if result.returncode == 0 else 1 if result.returncode == 1 else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
