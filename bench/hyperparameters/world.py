"""A small generated world the bases pre-train on and the tasks are about: people, places, things
and a plain English-like grammar over them. Everything comes from seeded random.Random draws, so
every machine generates the same text, and none of it is anyone's copyrighted writing."""

FIRST_NAMES = ("Ada Alan Anna Ben Carl Clara Dan Dora Eli Emma Finn Grace Hana Ivan Jack Jane Karl Lena Leo "
               "Lily Mark Mia Nora Omar Otto Paul Rosa Ruth Sam Sara Tom Vera Will Zoe").split()
LAST_NAMES = ("Baker Brown Clark Cole Day Evans Fisher Ford Gray Hill Hunt King Lake Long Marsh Moore Nash "
              "Park Reed Rose Stone Wells West Wood Young").split()
CITIES = ("Paris Rome Oslo Lima Cairo Delhi Tokyo Quito Accra Dublin Vienna Prague Lisbon Madrid Berlin "
          "Seoul Hanoi Nairobi Bogota Sydney").split()
JOBS = ("baker farmer teacher doctor pilot sailor painter writer tailor miner nurse cook judge singer "
        "builder driver").split()
ANIMALS = "fox owl bear wolf deer hare crow frog mole seal goat swan".split()
PLACES = "forest river hill valley lake field garden village harbour market meadow bridge".split()
FOODS = "bread soup apples cheese fish rice pears beans honey plums eggs nuts".split()
COLOURS = "red blue green yellow white black brown grey".split()
GOOD = "good fine great kind warm fresh sweet clean quick lovely calm bright".split()
BAD = "bad poor cold rude slow stale dirty noisy sour late dull broken".split()
THINGS = "room food service staff view bed meal price music coffee table window".split()
VERBS_PAST = "walked ran looked waited sang slept worked played listened rested".split()
TIMES = "morning evening night noon dawn dusk".split()
WORDS = sorted(set(ANIMALS + PLACES + FOODS + COLOURS))


def person(r):
    return f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"


def story_sentence(r, hero, form=None):
    """One sentence of the plain narrative style the long-completion task continues: the form
    given (0 to 4), or one drawn."""
    forms = (
        lambda: f"The {hero} {r.choice(VERBS_PAST)} to the {r.choice(PLACES)} in the {r.choice(TIMES)}.",
        lambda: f"There the {hero} found some {r.choice(FOODS)} by a {r.choice(COLOURS)} stone.",
        lambda: f"A {r.choice(ANIMALS)} came and {r.choice(VERBS_PAST)} beside the {hero}.",
        lambda: f"The {hero} was {r.choice(GOOD)} and the {r.choice(PLACES)} was {r.choice(GOOD + BAD)}.",
        lambda: f"When the {r.choice(TIMES)} came, the {hero} {r.choice(VERBS_PAST)} again.",
    )
    return (forms[form] if form is not None else r.choice(forms))()


def review(r, good, bad):
    """A short review with `good` praising and `bad` complaining clauses, shuffled."""
    clauses = [f"the {r.choice(THINGS)} was {r.choice(GOOD)}" for _ in range(good)]
    clauses += [f"the {r.choice(THINGS)} was {r.choice(BAD)}" for _ in range(bad)]
    r.shuffle(clauses)
    return ", ".join(clauses) if len(clauses) < 3 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def record(r):
    """A person's record as a dict: name, age, city, job, colour."""
    return {"name": person(r), "age": r.randint(18, 90), "city": r.choice(CITIES), "job": r.choice(JOBS),
            "colour": r.choice(COLOURS)}


def record_text(r, fields):
    """The record written as a sentence, in one of a few orders."""
    forms = (
        "{name} is a {job} from {city}, aged {age}, who likes {colour}.",
        "{name}, {age}, works as a {job} in {city} and likes {colour}.",
        "In {city} lives {name}, a {job} of {age} whose colour is {colour}.",
    )
    return r.choice(forms).format(**fields)
