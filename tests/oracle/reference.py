"""What transformers computes for a checkpoint, written in the form build/tools/hf-parity reads:
reference.safetensors (tensors) and reference.json (metadata and the tokenizer check)."""
import json
import os

import torch
import transformers
from safetensors.torch import save_file


def gradients(model, prefix=""):
    return {prefix + "grad." + n: p.grad.detach().float().contiguous()
            for n, p in model.named_parameters() if p.grad is not None}


def batch_reference(model, ids):
    """Logits, loss (labels = input ids, shifted inside the model) and every gradient on a batch."""
    model.eval()
    with torch.no_grad():
        logits = model(input_ids=ids).logits.float()
    model.zero_grad()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    return {"input_ids": ids, "logits": logits.contiguous(), "loss": loss.detach().reshape(1), **gradients(model)}


def packed_reference(model, examples):
    """Each example run alone: its logits; and the loss of all of them as one training step computes
    it (every predicted token's cross-entropy, summed over the examples, over the number of
    predicted tokens) with its gradients. The engine packs the examples into one row."""
    tensors = {}
    model.eval()
    model.zero_grad()
    total, predicted = 0.0, 0
    for i, ids in enumerate(examples):
        logits = model(input_ids=ids.unsqueeze(0)).logits.float()[0]
        tensors[f"packed.example.{i}"] = ids
        tensors[f"packed.logits.{i}"] = logits.detach().contiguous()
        total = total + torch.nn.functional.cross_entropy(logits[:-1], ids[1:], reduction="sum")
        predicted += ids.numel() - 1
    loss = total / predicted
    loss.backward()
    tensors["packed.loss"] = loss.detach().reshape(1)
    tensors.update(gradients(model, "packed."))
    return tensors


def write_reference(folder, tensors, tokenizer_check, **metadata):
    """tokenizer_check: {"texts": [...], "ids": [...], "bos_id": ..., "eos_id": ...}."""
    save_file(tensors, os.path.join(folder, "reference.safetensors"))
    meta = {"made_by": f"transformers {transformers.__version__}, torch {torch.__version__}",
            "loss": float(tensors["loss"]), **metadata, "tokenizer": tokenizer_check}
    if "packed.loss" in tensors:
        meta["packed_loss"] = float(tensors["packed.loss"])
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
