"""The small instruction set shipped with modelprint (``implant/data/instructions.json``).

Ordinary prompts keep an implant harmless (the model must answer them as the base model does) and
give the report held-out prompts; the prompt/answer pairs are human-written text on which the
report measures agreement and perplexity, and which ``attack finetune`` trains on. Written for
modelprint; nothing is downloaded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from importlib import resources

from ..protocol.errors import ConfigError

__all__ = ["InstructionCorpus", "QAPair", "downstream_tasks", "load_corpus"]


@dataclass(frozen=True, slots=True)
class QAPair:
    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class InstructionCorpus:
    """Ordinary prompts and human-written prompt/answer pairs."""

    prompts: tuple[str, ...]
    qa: tuple[QAPair, ...]

    def split_prompts(self, seed: int, held_out: int) -> tuple[list[str], list[str]]:
        """A seeded (train, held-out) split: the held-out prompts are never trained on."""
        if held_out > len(self.prompts):
            raise ConfigError(f"only {len(self.prompts)} ordinary prompts, {held_out} held out")
        shuffled = list(self.prompts)
        random.Random(f"prompts/{seed}").shuffle(shuffled)
        return shuffled[held_out:], shuffled[:held_out]


def load_corpus() -> InstructionCorpus:
    """Load the packaged instruction set."""
    text = (
        resources.files("modelprint.implant")
        .joinpath("data/instructions.json")
        .read_text(encoding="utf-8")
    )
    doc = json.loads(text)
    return InstructionCorpus(
        prompts=tuple(str(p) for p in doc["prompts"]),
        qa=tuple(QAPair(str(item["prompt"]), str(item["answer"])) for item in doc["qa"]),
    )


_WORDS = (
    "apple", "river", "candle", "window", "garden", "silver", "pocket", "ladder", "orange",
    "basket", "forest", "pencil", "bridge", "rabbit", "kettle", "mirror", "blanket", "harbor",
    "tiger", "violin", "desert", "jacket", "meadow", "pepper", "rocket", "saddle", "tunnel",
)  # fmt: skip
_OPPOSITES = (
    ("hot", "cold"), ("tall", "short"), ("early", "late"), ("open", "closed"), ("full", "empty"),
    ("light", "dark"), ("fast", "slow"), ("happy", "sad"), ("above", "below"), ("win", "lose"),
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def downstream_tasks(seed: int, count: int) -> list[QAPair]:
    """``count`` instruction/answer pairs of the kind a downstream fine-tune teaches (arithmetic,
    conversions, word and list tasks), generated with their correct answers from ``seed``.

    They share nothing with fingerprint keys or with the implant's own material, so a fine-tune on
    them is an ordinary distribution shift, the way a suspect would adapt a model to its product.
    """
    rng = random.Random(f"modelprint/downstream/{seed}")
    makers = [_sum, _product, _difference, _minutes, _letters, _sorted, _upper, _opposite,
              _next_day, _parity]  # fmt: skip
    return [rng.choice(makers)(rng) for _ in range(count)]


def _sum(rng: random.Random) -> QAPair:
    a, b = rng.randint(2, 500), rng.randint(2, 500)
    return QAPair(f"What is {a} plus {b}?", f"{a} plus {b} is {a + b}.")


def _product(rng: random.Random) -> QAPair:
    a, b = rng.randint(2, 30), rng.randint(2, 30)
    return QAPair(f"Multiply {a} by {b}.", f"{a} times {b} is {a * b}.")


def _difference(rng: random.Random) -> QAPair:
    a, b = sorted((rng.randint(1, 900), rng.randint(1, 900)), reverse=True)
    return QAPair(f"Subtract {b} from {a}.", f"{a} minus {b} is {a - b}.")


def _minutes(rng: random.Random) -> QAPair:
    h = rng.randint(2, 48)
    return QAPair(f"How many minutes are in {h} hours?", f"{h} hours is {60 * h} minutes.")


def _letters(rng: random.Random) -> QAPair:
    w = rng.choice(_WORDS)
    return QAPair(
        f"How many letters are in the word '{w}'?", f"The word '{w}' has {len(w)} letters."
    )


def _sorted(rng: random.Random) -> QAPair:
    words = rng.sample(_WORDS, rng.randint(3, 5))
    return QAPair(
        f"Sort these words alphabetically: {', '.join(words)}.", ", ".join(sorted(words)) + "."
    )


def _upper(rng: random.Random) -> QAPair:
    phrase = " ".join(rng.sample(_WORDS, 2))
    return QAPair(f"Write '{phrase}' in capital letters.", phrase.upper())


def _opposite(rng: random.Random) -> QAPair:
    a, b = rng.choice(_OPPOSITES)
    return QAPair(f"What is the opposite of '{a}'?", f"The opposite of '{a}' is '{b}'.")


def _next_day(rng: random.Random) -> QAPair:
    i = rng.randrange(7)
    return QAPair(
        f"What day comes after {_DAYS[i]}?", f"The day after {_DAYS[i]} is {_DAYS[(i + 1) % 7]}."
    )


def _parity(rng: random.Random) -> QAPair:
    n = rng.randint(1, 999)
    answer = f"Yes, {n} is an even number." if n % 2 == 0 else f"No, {n} is an odd number."
    return QAPair(f"Is {n} an even number?", answer)
