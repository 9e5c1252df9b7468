"""The generated task suite: six kinds of fine-tuning work, each at three sizes, written as
{train, valid, test}.jsonl folders in the OpenAI formats (docs/data.md). Deterministic: the same
seed gives the same files on every machine. A test or validation example never repeats a
training example's prompt."""
import json
import os
import random

from world import (COLOURS, FOODS, CITIES, WORDS, record, record_text, review, story_sentence, ANIMALS)

SIZES = (30, 300, 3000)
VALID_EXAMPLES = 50
TEST_EXAMPLES = 100


def classification(r):
    good, bad = r.choice([(1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3), (2, 0), (0, 2), (3, 2), (2, 3)])
    label = "positive" if good > bad else "negative"
    return {"prompt": f"Review: {review(r, good, bad)}\nSentiment:", "completion": f" {label}"}


def extraction(r):
    fields = record(r)
    field = r.choice(["age", "city", "job", "colour"])
    return {"prompt": f"{record_text(r, fields)}\nQuestion: what is the {field}?\nAnswer:",
            "completion": f" {fields[field]}"}


def transformation(r):
    words = [r.choice(WORDS) for _ in range(r.randint(3, 5))]
    return {"prompt": f"Reverse: {' '.join(words)}\nReversed:", "completion": " " + " ".join(reversed(words))}


def arithmetic(r):
    a, b = r.randint(0, 99), r.randint(0, 99)
    return {"prompt": f"{a} + {b} =", "completion": f" {a + b}"}


def long_completion(r):
    """A five-sentence story in a fixed plain style: the prompt gives the hero and the first
    sentence, the completion is the other four, always in the same order of forms."""
    hero = r.choice(ANIMALS)
    sentences = [story_sentence(r, hero, form) for form in range(5)]
    return {"prompt": f"A story about the {hero}. {sentences[0]}", "completion": " " + " ".join(sentences[1:])}


def chat(r):
    """Two turns at a market stall: a price asked, then a total computed from it."""
    food, price, count = r.choice(FOODS), r.randint(1, 9), r.randint(2, 5)
    return {"messages": [
        {"role": "system", "content": f"You sell food at the {r.choice(CITIES)} market."},
        {"role": "user", "content": f"How much are the {food}?"},
        {"role": "assistant", "content": f"The {food} cost {price} coins each."},
        {"role": "user", "content": f"I will take {count}, in a {r.choice(COLOURS)} bag."},
        {"role": "assistant", "content": f"{count} {food} cost {count * price} coins."},
    ]}


# name -> (generator, short completion: the prompt-loss weight is part of its grid)
TASKS = {
    "classification": (classification, True),
    "extraction": (extraction, True),
    "transformation": (transformation, True),
    "arithmetic": (arithmetic, True),
    "long-completion": (long_completion, False),
    "chat": (chat, False),
}


def _key(example):
    if "prompt" in example:
        return example["prompt"]
    return json.dumps(example["messages"][:-1])


def _draw(generator, r, count, taken):
    examples = []
    attempts = 0
    while len(examples) < count:
        attempts += 1
        if attempts > 100 * count:
            raise RuntimeError(f"{generator.__name__}: cannot draw {count} distinct examples")
        example = generator(r)
        if _key(example) in taken:
            continue
        taken.add(_key(example))
        examples.append(example)
    return examples


def write_task(folder, name, size, seed=14):
    """Writes folder/{train,valid,test}.jsonl for task `name` with `size` training examples."""
    generator, _ = TASKS[name]
    r = random.Random(f"{name}/{size}/{seed}")
    taken = set()
    held_out = {"test": _draw(generator, r, TEST_EXAMPLES, taken), "valid": _draw(generator, r, VALID_EXAMPLES, taken)}
    files = dict(held_out, train=_draw(generator, r, size, taken))
    os.makedirs(folder, exist_ok=True)
    for part, examples in files.items():
        with open(os.path.join(folder, f"{part}.jsonl"), "w") as f:
            f.writelines(json.dumps(e) + "\n" for e in examples)


def write_suite(root, names=tuple(TASKS), sizes=SIZES):
    """The suite under root/<task>-<size>/; returns the folders, smallest size first."""
    folders = []
    for size in sizes:
        for name in names:
            folder = os.path.join(root, f"{name}-{size}")
            write_task(folder, name, size)
            folders.append(folder)
    return folders


def is_short_completion(folder):
    """A folder of the generated suite named after a short-completion task, or any task folder
    whose training completions average under 8 words (a folder the harness did not generate)."""
    base = os.path.basename(os.path.normpath(folder))
    for name, (_, short) in TASKS.items():
        if base.startswith(name + "-"):
            return short
    words = completions = 0
    with open(os.path.join(folder, "train.jsonl")) as f:
        for line in f:
            example = json.loads(line)
            if "completion" in example:
                words += len(example["completion"].split())
            else:
                words += sum(len(m["content"].split()) for m in example["messages"] if m["role"] == "assistant")
            completions += 1
    return completions > 0 and words / completions < 8
