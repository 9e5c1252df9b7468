"""The bases' pre-training text: paragraphs about the generated world (world.py) in several
kinds of writing (stories, descriptions of people, reviews, sums in prose, lists, dialogues), so
that a base knows the words and some of the facts the tasks use, but none of the tasks' formats.
Written as prompt/completion lines with empty prompts: with prompt_loss_weight 1 (the policy's
choice for a model trained from scratch) every token is learned."""
import json
import random

from world import (ANIMALS, FOODS, JOBS, CITIES, WORDS, person, record, record_text, review, story_sentence)


def _story(r):
    hero = r.choice(ANIMALS)
    return " ".join(story_sentence(r, hero) for _ in range(r.randint(3, 6)))


def _people(r):
    return " ".join(record_text(r, record(r)) for _ in range(r.randint(2, 4)))


def _reviews(r):
    return " ".join(f"{person(r)} wrote that {review(r, r.randint(0, 2), r.randint(0, 2) or 1)}."
                    for _ in range(r.randint(2, 3)))


def _sums(r):
    parts = []
    for _ in range(r.randint(2, 4)):
        a, b = r.randint(0, 60), r.randint(0, 60)
        x, y = r.sample(FOODS, 2)
        parts.append(f"The {r.choice(JOBS)} had {a} {x} and {b} {y}, {a + b} in all.")
    return " ".join(parts)


def _lists(r):
    words = r.sample(WORDS, r.randint(3, 6))
    return f"In the {r.choice(CITIES)} market they sold {', '.join(words[:-1])} and {words[-1]}."


def _dialogue(r):
    food, price = r.choice(FOODS), r.randint(1, 9)
    return (f"user: Good {r.choice(['morning', 'evening'])}. assistant: Hello, {person(r)} here. "
            f"user: Do you have {food}? assistant: Yes, {price} coins for each.")


KINDS = (_story, _people, _reviews, _sums, _lists, _dialogue)


def paragraphs(seed, count):
    r = random.Random(f"corpus/{seed}")
    for _ in range(count):
        yield r.choice(KINDS)(r)


def write_corpus(path, seed, count):
    with open(path, "w") as f:
        for text in paragraphs(seed, count):
            f.write(json.dumps({"prompt": "", "completion": text}) + "\n")
