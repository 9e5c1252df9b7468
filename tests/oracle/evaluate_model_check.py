"""ft-evaluate-model (the hyper-parameter benchmark's scorer) against transformers.

usage: evaluate_model_check.py FT_HOST FT_EVALUATE_MODEL WORK_DIR MODEL

ft-host fine-tunes MODEL (a checkpoint folder) on a copy task of three letters until it copies
them; held out are three-letter examples and four-letter ones, which it copies less well. Then transformers computes the mean NLL of the held-out completion tokens (EOS
included) and greedy exact match by generating (model.generate, no sampling) and comparing the
tokens, and ft-evaluate-model must give the same NLL (within 1e-5 relative) and the same exact
match, which must be neither 0 nor 1 (or the check could not tell). Exits 0 when they agree.
"""
import json
import os
import shutil
import subprocess
import sys

import sentencepiece
import torch
from transformers import AutoModelForCausalLM

import ft_host


def write_examples(path, indices, length=3):
    with open(path, "a") as f:
        for i in indices:
            letters = " ".join(chr(ord("a") + (i >> (3 * k)) % 8) for k in range(length))
            f.write(json.dumps({"prompt": f"copy: {letters} =", "completion": f" {letters}"}) + "\n")


def reference(folder, path):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(folder, "tokenizer.model"))
    nll, tokens, exact, examples = 0.0, 0, 0, 0
    with open(path) as f:
        for line in f:
            example = json.loads(line)
            prompt = [sp.bos_id()] + sp.encode(example["prompt"])
            completion = sp.encode(example["completion"]) + [sp.eos_id()]
            ids = torch.tensor([prompt + completion])
            with torch.no_grad():
                log_probs = torch.log_softmax(model(ids).logits[0, :-1], -1)[len(prompt) - 1:]
                generated = model.generate(torch.tensor([prompt]), max_new_tokens=len(completion), do_sample=False,
                                           eos_token_id=sp.eos_id(), pad_token_id=sp.eos_id())[0, len(prompt):]
            nll -= log_probs.gather(-1, torch.tensor(completion)[:, None]).sum().item()
            tokens += len(completion)
            exact += int(generated.tolist() == completion)
            examples += 1
    return {"completion_nll": nll / tokens, "completion_tokens": tokens, "exact_match": exact / examples}


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, evaluate, work, model = argv[1:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    train, test = os.path.join(work, "train.jsonl"), os.path.join(work, "test.jsonl")
    write_examples(train, range(0, 512, 2))
    # Three letters, as trained, and four, which a model trained on three copies less well.
    write_examples(test, range(1, 64, 2))
    write_examples(test, range(1, 4096, 128), 4)
    workspace = os.path.join(work, "workspace")
    start = ft_host.run(host, "start", "--workspace", workspace, "--model", model, "--training-file", train,
                        "--set", "n_epochs=12", "--set", "learning_rate_multiplier=1", "--seed", "5", "--json")
    job_id = json.loads(start.splitlines()[0])["id"]
    folder = json.loads(ft_host.run(host, "show", job_id, "--workspace", workspace, "--json"))["fine_tuned_model"]
    expected = reference(folder, test)
    got = json.loads(subprocess.run([evaluate, "--file", test, folder], check=True, capture_output=True,
                                    text=True).stdout)
    print("transformers:", expected)
    print("ft-evaluate-model:", got)
    if not 0 < expected["exact_match"] < 1:
        print("the fine-tune copies all or none of the held-out examples: exact match is not checked", file=sys.stderr)
        return 1
    same_nll = abs(got["completion_nll"] - expected["completion_nll"]) <= 1e-5 * expected["completion_nll"]
    same = same_nll and got["completion_tokens"] == expected["completion_tokens"] and \
        got["exact_match"] == expected["exact_match"]
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
