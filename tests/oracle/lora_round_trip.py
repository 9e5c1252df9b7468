"""LoRA against PEFT, both ways, on one base model.

usage: lora_round_trip.py FT_HOST ADAPTER_LOGITS WORK_DIR MODEL

1. PEFT to the engine: PEFT puts LoRA adapters (random A, random nonzero B) on every projection
   of the transformers model loaded from MODEL and saves them; adapter-logits loads MODEL with
   that adapter folder, and its logits must be PEFT's.
2. The engine to PEFT: ft-host trains a LoRA job on MODEL with --merge (one epoch of a copy
   task); `PeftModel.from_pretrained` on the transformers base loads the job's adapter/ folder
   and its logits must be the engine's; the merged model/ folder loads in plain
   AutoModelForCausalLM with the same logits.
Bound: 1e-4 relative to the largest logit. Exits 0 when everything matches, 1 when something
differs, 2 when a step cannot run.
"""
import os
import shutil
import subprocess
import sys

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM
from transformers.utils import logging as transformers_logging

import ft_host as ft_host_commands

BOUND = 1e-4
PROJECTIONS = {"gpt2": ["c_attn", "c_proj", "c_fc"],
               "phi3": ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]}
LLAMA_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def relative_difference(value, reference):
    return ((value.double() - reference.double()).abs().max() / reference.double().abs().max()).item()


def base_model(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def engine_logits(adapter_logits, work, model, adapter, ids):
    ids_file, out_file = os.path.join(work, "ids.safetensors"), os.path.join(work, "engine-logits.safetensors")
    save_file({"input_ids": ids}, ids_file)
    subprocess.run([adapter_logits, model, adapter, ids_file, out_file], check=True)
    return load_file(out_file)["logits"]


def check(what, value, reference):
    difference = relative_difference(value, reference)
    ok = difference <= BOUND
    print(f"  {what:<44} {difference:.3e}  (bound {BOUND:.0e})  {'ok' if ok else 'FAIL'}")
    return ok


def peft_to_engine(adapter_logits, work, model, ids):
    base = base_model(model)
    model_type = base.config.model_type
    config = LoraConfig(r=4, lora_alpha=12, lora_dropout=0.0, task_type="CAUSAL_LM",
                        target_modules=PROJECTIONS.get(model_type, LLAMA_PROJECTIONS),
                        fan_in_fan_out=model_type == "gpt2")
    peft_model = get_peft_model(base, config)
    torch.manual_seed(3)
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.05)  # B = 0 would make the adapters change nothing
    peft_model.eval()
    adapter = os.path.join(work, "peft-adapter")
    peft_model.save_pretrained(adapter)
    with torch.no_grad():
        reference = peft_model(input_ids=ids).logits.float()
        plain = base_model(model)(input_ids=ids).logits.float()
    if relative_difference(plain, reference) < 100 * BOUND:
        raise SystemExit("the PEFT adapter barely changes the logits; the check would prove nothing")
    return check("PEFT adapter, engine logits vs PEFT", engine_logits(adapter_logits, work, model, adapter, ids), reference)


def train_lora(ft_host, work, model):
    """The adapter and the merged model of a one-epoch LoRA fine-tune."""
    merged = ft_host_commands.fine_tune(ft_host, work, model, None, "--method", "lora", "--merge")
    return os.path.join(os.path.dirname(merged), "adapter"), merged


def engine_to_peft(ft_host, adapter_logits, work, model, ids):
    adapter, merged = train_lora(ft_host, work, model)
    trained_b = [t for k, t in load_file(os.path.join(adapter, "adapter_model.safetensors")).items() if "lora_B" in k]
    if not trained_b or max(t.abs().max().item() for t in trained_b) == 0:
        raise SystemExit("the engine's adapter has B = 0 everywhere: training did not move it")
    engine = engine_logits(adapter_logits, work, model, adapter, ids)
    moved = relative_difference(engine_logits(adapter_logits, work, model, "-", ids), engine)
    print(f"  the trained adapter changes the logits by   {moved:.3e}")
    if moved < 100 * BOUND:
        raise SystemExit("the engine's adapter barely changes the logits; the checks would prove nothing")
    peft_model = PeftModel.from_pretrained(base_model(model), adapter).eval()
    with torch.no_grad():
        by_peft = peft_model(input_ids=ids).logits.float()
        by_transformers = base_model(merged)(input_ids=ids).logits.float()
    ok = check("engine adapter, PEFT logits vs engine", by_peft, engine)
    return check("engine merged folder, transformers vs engine", by_transformers, engine) and ok


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    ft_host, adapter_logits, work, model = sys.argv[1:]
    transformers_logging.set_verbosity_error()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    vocab = base_model(model).config.vocab_size
    ids = torch.randint(3, vocab, (2, 13), generator=torch.Generator().manual_seed(5))
    ok = peft_to_engine(adapter_logits, work, model, ids)
    ok = engine_to_peft(ft_host, adapter_logits, work, model, ids) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
