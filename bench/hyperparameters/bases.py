"""Pre-trained bases for the benchmark, made with the engine itself: a small-llama preset trained
from random weights for one epoch over the generated corpus (corpus.py), with the policy's own
from-scratch hyper-parameters. The corpus is sized so that the plan's time estimate fits the
cap; the base is cached under the output folder and reused while its recipe is unchanged."""
import json
import os
import shutil
import time

import corpus
from plugin import Plugin

CORPUS_SEED = 1
PRETRAIN_SEED = 11
# Paragraphs of the sizing corpus: enough for a stable mean length.
SIZING_PARAGRAPHS = 2000


def _request(preset, training_file):
    return {"model": preset, "training_file": training_file, "hyperparameters": {"n_epochs": 1},
            "seed": PRETRAIN_SEED}


def _recipe(preset, cap_seconds):
    return {"preset": preset, "corpus_seed": CORPUS_SEED, "seed": PRETRAIN_SEED, "cap_seconds": cap_seconds}


def is_cached(out, preset, cap_seconds, name=None):
    """Whether the base `name` (default: the preset's name) is cached with this recipe."""
    record = os.path.join(out, "bases", name or preset, "base.json")
    if not os.path.exists(record):
        return False
    with open(record) as f:
        return json.load(f)["recipe"] == _recipe(preset, cap_seconds)


def pretrained_base(library, preset, out, cap_seconds, threads, log, name=None):
    """The folder of `preset` pre-trained within about `cap_seconds`, cached as `name` (default:
    the preset's name); from the cache when there."""
    name = name or preset
    folder = os.path.join(out, "bases", name)
    if is_cached(out, preset, cap_seconds, name):
        return folder
    work = os.path.join(out, "pretraining", name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    training_file = os.path.join(work, "corpus.jsonl")
    corpus.write_corpus(training_file, CORPUS_SEED, SIZING_PARAGRAPHS)
    with Plugin(library, os.path.join(work, "workspace"), threads) as plugin:
        sizing = plugin.plan(_request(preset, training_file))["hyperparameters"]["estimated_seconds"]["value"]
        paragraphs = max(SIZING_PARAGRAPHS, int(SIZING_PARAGRAPHS * cap_seconds / sizing))
        corpus.write_corpus(training_file, CORPUS_SEED, paragraphs)
        log(f"pre-training {preset} on {paragraphs} generated paragraphs (planned {sizing:.0f} s per "
            f"{SIZING_PARAGRAPHS}, cap {cap_seconds} s)")
        started = time.monotonic()
        job, hyper, steps, _ = plugin.train(_request(preset, training_file), os.path.join(work, "epochs"))
        seconds = time.monotonic() - started
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(job["fine_tuned_model"], folder)
    made = {"recipe": _recipe(preset, cap_seconds), "paragraphs": paragraphs, "trained_tokens": job["trained_tokens"],
            "seconds": round(seconds, 1), "final_train_loss": steps[-1]["train_loss"] if steps else None,
            "hyperparameters": {k: v["value"] for k, v in hyper.items()}}
    with open(os.path.join(folder, "base.json"), "w") as f:
        json.dump(made, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    log(f"{name}: {made['trained_tokens']} tokens in {seconds:.0f} s, final train loss {made['final_train_loss']}")
    return folder
