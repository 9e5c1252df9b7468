"""A chat model with its own template, fine-tuned end to end, checked against Hugging Face.

usage: chat_fine_tune.py FT_HOST HF_PARITY WORK_DIR

Builds what a user downloads: a random Qwen2-architecture model (transformers) with a byte-level
BPE tokenizer.json in Qwen 2.5's style (tokenizers: NFC, Qwen's split regex, ByteLevel,
<|im_start|>, <|im_end|>, <|endoftext|>) and the ChatML chat template in tokenizer_config.json.
Then with chat data (messages):
  - `ft-host plan` must name the model's own template;
  - the plan's completion tokens must be exactly the tokens of the assistant turns (their text and
    <|im_end|>) in transformers' apply_chat_template rendering, located by the tokenizer's offsets;
  - a one-epoch `ft-host start` must succeed, and the exported folder must load in
    AutoModelForCausalLM with the engine's logits (hf-parity, 1e-5) and in AutoTokenizer with the
    same chat rendering and ids.
Exits 0 when all hold, 1 otherwise.
"""
import json
import os
import random
import shutil
import subprocess
import sys

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
from transformers.utils import logging as transformers_logging

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ft_host as ft_host_commands  # noqa: E402
from reference import batch_reference, write_reference  # noqa: E402
from tokenizer_cases import line  # noqa: E402

QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML = ("{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
          "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
          "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def chats(count, seed):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        letters = " ".join(rng.choice("abcdefgh") for _ in range(4))
        messages = [{"role": "user", "content": f"copy: {letters}"}, {"role": "assistant", "content": letters}]
        if i % 3 == 0:
            messages.insert(0, {"role": "system", "content": "Copy exactly."})
        out.append({"messages": messages})
    return out


def make_tokenizer(folder):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    rng = random.Random(1)
    texts = [line(rng, False).decode("utf-8") for _ in range(2000)] + ["copy: a b c d", "Copy exactly."] * 50
    trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    config = {"tokenizer_class": "Qwen2Tokenizer", "bos_token": None, "eos_token": "<|im_end|>",
              "pad_token": "<|endoftext|>", "unk_token": None, "chat_template": CHATML, "model_max_length": 256}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return tokenizer.get_vocab_size()


def make_model(folder):
    os.makedirs(folder)
    vocab = make_tokenizer(folder)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         eos_token_id=SPECIALS.index("<|im_end|>"), pad_token_id=0, tie_word_embeddings=True)
    Qwen2ForCausalLM(config).save_pretrained(folder)


def expected_completion_tokens(folder, examples):
    """Tokens whose text starts inside an assistant turn (its content and <|im_end|>)."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    total = 0
    for example in examples:
        text = tokenizer.apply_chat_template(example["messages"], tokenize=False)
        spans, at = [], 0
        for message in example["messages"]:
            turn = "<|im_start|>" + message["role"] + "\n"
            at = text.index(turn, at) + len(turn)
            end = text.index("<|im_end|>", at) + len("<|im_end|>")
            if message["role"] == "assistant":
                spans.append((at, end))
            at = end
        offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        total += sum(any(b <= start < e for b, e in spans) for start, _ in offsets)
    return total


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ft_host, hf_parity, work = argv[1:]
    transformers_logging.disable_progress_bar()
    shutil.rmtree(work, ignore_errors=True)
    model = os.path.join(work, "qwen2-chatml")
    make_model(model)
    examples = chats(48, 3)
    data = os.path.join(work, "chats.jsonl")
    with open(data, "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in examples)
    workspace = os.path.join(work, "workspace")
    common = ["--workspace", workspace, "--model", model, "--training-file", data]

    plan = json.loads(ft_host_commands.run(ft_host, "plan", *common, "--json"))
    print("plan:", json.dumps(plan["chat_template"]))
    ok = plan["chat_template"]["used"] == "model"
    expected = expected_completion_tokens(model, examples)
    got = plan["data"]["training"]["completion_tokens"]
    print(f"completion tokens: engine {got}, assistant turns in transformers' rendering {expected}")
    ok &= got == expected

    exported = ft_host_commands.fine_tune(ft_host, work, model, data)
    folder = os.path.join(work, "exported")
    shutil.copytree(exported, folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    rendered = tokenizer.apply_chat_template(examples[0]["messages"], tokenize=False)
    ok &= rendered == AutoTokenizer.from_pretrained(model).apply_chat_template(examples[0]["messages"], tokenize=False)
    hf_model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    ids = torch.tensor([tokenizer(rendered, add_special_tokens=False)["input_ids"][:32]] * 2)
    texts = [tokenizer.apply_chat_template(e["messages"], tokenize=False) for e in examples[:20]]
    check = {"texts": texts, "ids": [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]}
    write_reference(folder, batch_reference(hf_model, ids), check, model_class=type(hf_model).__name__)
    parity = subprocess.run([hf_parity, "--tolerance", "1e-5", folder], capture_output=True, text=True)
    print(parity.stdout + parity.stderr)
    ok &= parity.returncode == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
