"""The peer of `make bench`: what a user would run instead of the engine. Hugging Face
transformers' LlamaForCausalLM from the same checkpoint folder, torch.optim.AdamW and a plain
training loop, on the token batches the driver gives it (the same examples the engine trains on,
laid out as the engine lays them out: [BOS] prompt completion [EOS]). Each batch is padded to its
longest example, pad positions masked out of the loss, as transformers' data collators do.

usage: transformers_peer.py SPEC.json   (written by engine_vs_transformers.py)
SPEC: {"model": folder, "batches": [[[ids...], ...], ...], "precision": "fp32" | "bf16",
       "learning_rate", "warmup_steps", "weight_decay", "betas", "eps", "max_grad_norm", "threads"}
prints one JSON line: {"tokens_per_second", "losses", "peak_rss_bytes", "seconds"}; tokens are
real (not padding) tokens, and the first step is left out of the speed as a warm-up.
"""
import json
import resource
import sys
import time

import torch
from transformers import LlamaForCausalLM


def padded(batch):
    """input ids and labels [rows, longest]: pads are id 0 with label -100 (no loss)."""
    longest = max(len(example) for example in batch)
    ids = torch.zeros(len(batch), longest, dtype=torch.long)
    labels = torch.full((len(batch), longest), -100, dtype=torch.long)
    for row, example in enumerate(batch):
        ids[row, :len(example)] = torch.tensor(example)
        labels[row, :len(example)] = torch.tensor(example)
    return ids, labels


def engine_schedule(warmup, total):
    """The engine's linear warm-up and decay (engine/training/learning_rate_schedule.h)."""
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def main(spec_path):
    spec = json.load(open(spec_path))
    if spec.get("threads"):
        torch.set_num_threads(spec["threads"])
    model = LlamaForCausalLM.from_pretrained(spec["model"], torch_dtype=torch.float32, attn_implementation="sdpa")
    model.train()
    # Weight decay on weight matrices only, not on norms, biases and the token embedding, as the
    # engine decays them (engine/training/adamw.cpp).
    def decays(name, p):
        return p.dim() >= 2 and "embed_tokens" not in name
    matrices = [p for name, p in model.named_parameters() if decays(name, p)]
    others = [p for name, p in model.named_parameters() if not decays(name, p)]
    optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": spec["weight_decay"]},
                                   {"params": others, "weight_decay": 0.0}],
                                  lr=spec["learning_rate"], betas=tuple(spec["betas"]), eps=spec["eps"])
    batches = spec["batches"]
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, engine_schedule(spec["warmup_steps"], len(batches)))
    bf16 = spec["precision"] == "bf16"
    losses, timed_tokens, timed_seconds = [], 0, 0.0
    for step, batch in enumerate(batches):
        started = time.perf_counter()
        ids, labels = padded(batch)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), spec["max_grad_norm"])
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if step > 0:
            timed_seconds += time.perf_counter() - started
            timed_tokens += sum(len(example) for example in batch)
    print(json.dumps({"tokens_per_second": timed_tokens / timed_seconds if timed_seconds else None,
                      "losses": losses, "seconds": timed_seconds,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: transformers_peer.py SPEC.json")
    main(sys.argv[1])
