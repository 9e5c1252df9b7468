"""tinyllama_shape.py OUT: a TinyLlama-shaped checkpoint folder with random weights, for measuring
memory and time at the scale people fine-tune on a workstation (docs/performance.md).

The config is TinyLlama-1.1B's (22 layers of 2048, 32 heads, 4 key-value heads, MLP 5632, vocab
32000, untied head: 1,100,048,384 parameters), the weights drawn by transformers (std 0.02, seed
0) and saved in BF16 as the published checkpoint is; the tokenizer is the test fixture's
SentencePiece model (its 512 pieces are a subset of the vocabulary). Beside it, train.jsonl: 64
copy-task examples of about 512 tokens each, so that plans choose 1 x 512 micro-batches.
"""
import random
import shutil
import sys
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

FIXTURE_TOKENIZER = Path(__file__).resolve().parent.parent / "tests/fixtures/hf/tiny-llama/tokenizer.model"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    config = LlamaConfig(vocab_size=32000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                         num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=2048,
                         rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(out)
    shutil.copy(FIXTURE_TOKENIZER, out / "tokenizer.model")
    letters = "abcdefgh"
    rng = random.Random(0)
    with open(out / "train.jsonl", "w") as f:
        for _ in range(64):
            text = " ".join(rng.choice(letters) for _ in range(250))
            f.write('{"prompt": "copy: %s =", "completion": " %s"}\n' % (text, text))
    print(f"{out}: {sum(p.numel() for p in model.parameters())} parameters in BF16, and train.jsonl")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tinyllama_shape.py OUT")
    main(Path(sys.argv[1]))
