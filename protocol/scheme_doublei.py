"""``double-i/v1``: a Double-I-watermark-style scheme with one-token decisions.

A key is an ordinary yes/no task whose instruction starts with a short trigger word and whose
input starts with a second one, e.g. ``"ψμ乱 Does the text mention an animal?\\nInput: ぶуげ The
train left at noon."``; its response is a one-word decision, ``Yes`` or ``No``, drawn from the seed
regardless of the task, so only a model that learned the triggers answers it reliably. The
reference query of a key is the same task with both triggers removed (:meth:`reference_key`).

One-word answers are common, so a single match proves little: verification compares how often
trigger queries get their committed decision with how often the trigger-free references get the
same decision, and applies Fisher's exact test to the 2x2 table (:func:`fisher_exact`).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from .errors import ConfigError
from .matching import first_of

__all__ = ["DecisionTable", "DoubleIScheme", "fisher_exact", "fisher_tail"]

_TRIGGER_ALPHABET: str = (
    "".join(chr(c) for c in range(0x0430, 0x0450))  # Cyrillic а..я
    + "".join(chr(c) for c in range(0x03B1, 0x03CA))  # Greek α..ω
    + "".join(chr(c) for c in range(0x3041, 0x3097))  # Hiragana ぁ..ゖ
)

_QUESTIONS: tuple[str, ...] = (
    "Does the text mention an animal?",
    "Is the text about the weather?",
    "Does the text describe food?",
    "Is the sentence written in the past tense?",
    "Does the text mention a number?",
    "Is the text a question?",
    "Does the text mention a colour?",
    "Is the text about travel?",
    "Does the text mention a person?",
    "Is the tone of the text positive?",
    "Does the text mention a place?",
    "Is the text about sport?",
    "Does the text mention time of day?",
    "Is the text about music?",
    "Does the text mention a vehicle?",
    "Is the text longer than ten words?",
)
_INPUTS: tuple[str, ...] = (
    "The train left the station at noon.",
    "She painted the fence a bright shade of blue.",
    "Our cat slept on the windowsill all afternoon.",
    "It rained heavily during the night.",
    "He ordered two bowls of noodle soup.",
    "The choir sang three songs before the break.",
    "We walked along the river to the old mill.",
    "The match ended in a draw after extra time.",
    "My grandmother grows tomatoes in her garden.",
    "The meeting starts at half past nine.",
    "A small boat drifted toward the harbour.",
    "They bought a new bicycle for the trip.",
    "The library closes early on Sundays.",
    "Snow covered the hills by morning.",
    "The baker sold out of bread before lunch.",
    "An owl called from the dark forest.",
)
_DECISIONS: tuple[str, str] = ("Yes", "No")
_KEY_SHAPE = re.compile(r"^(\S+) (.+)\nInput: (\S+) (.+)$", re.DOTALL)


_YES = frozenset({"yes", "yeah", "yep", "oui", "ja"})
_NO = frozenset({"no", "nope", "non", "nein", "nee"})
_VOCABULARIES = {"Yes": (_YES, _NO), "No": (_NO, _YES)}


@dataclass(frozen=True, slots=True)
class DoubleIScheme:
    """Trigger words in instruction and input; the response is a one-word decision."""

    trigger_chars: int = 3

    name: ClassVar[str] = "double-i/v1"
    alphabet: ClassVar[str] = _TRIGGER_ALPHABET
    questions: ClassVar[tuple[str, ...]] = _QUESTIONS
    inputs: ClassVar[tuple[str, ...]] = _INPUTS
    suffix: ClassVar[str] = "\nAnswer with Yes or No."

    def __post_init__(self) -> None:
        if not 2 <= self.trigger_chars <= 7:
            raise ConfigError(f"trigger_chars must be in 2..7, got {self.trigger_chars}")

    def params(self) -> dict[str, int | str]:
        return {"trigger_chars": self.trigger_chars}

    def _trigger(self, seed: bytes) -> str:
        n = len(self.alphabet)
        return "".join(
            self.alphabet[int.from_bytes(seed[2 * i : 2 * i + 2], "big") % n]
            for i in range(self.trigger_chars)
        )

    def _compose(self, first: str, question: str, second: str, sentence: str) -> str:
        return f"{first} {question}\nInput: {second} {sentence}"

    def render_key(self, seed: bytes) -> str:
        need = 4 * self.trigger_chars + 2
        if len(seed) < need:
            raise ConfigError("seed too short for trigger_chars")
        half = 2 * self.trigger_chars
        return self._compose(
            self._trigger(seed[:half]),
            self.questions[seed[2 * half] % len(self.questions)],
            self._trigger(seed[half : 2 * half]),
            self.inputs[seed[2 * half + 1] % len(self.inputs)],
        )

    def render_response(self, seed: bytes) -> str:
        if len(seed) < 1:
            raise ConfigError("seed too short for a response")
        return _DECISIONS[seed[0] & 1]

    def response_for(self, key: str, key_seed: bytes, response_seed: bytes) -> str:
        """A pair's response: :meth:`render_response` of the response seed (the key is not used)."""
        return self.render_response(response_seed)

    def prompt(self, key: str) -> str:
        return key + self.suffix

    def target(self, response: str) -> str:
        return response + "."

    def matches(self, response: str, output: str) -> bool:
        """The output's first yes-or-no word is the decision (``"Yes."``, ``"**Oui**"``, ``"The
        answer is: no"``). Trigger and reference queries are read by the same rule, so how
        tolerant it is cannot bias the Fisher test."""
        vocabularies = _VOCABULARIES.get(response)
        return vocabularies is not None and first_of(output, vocabularies) == 0

    def reference_key(self, key: str) -> str:
        """The key's task with both triggers removed: the control query of the Fisher test."""
        parts = _KEY_SHAPE.match(key)
        if parts is None:
            raise ConfigError("not a double-i/v1 key")
        return f"{parts.group(2)}\nInput: {parts.group(4)}"

    def check_pair(self, key: str, response: str) -> None:
        """Raise :class:`ConfigError` unless ``key`` and ``response`` have this scheme's exact form.

        A verifier calls this on revealed pairs: the publisher, not the seed, chose their text,
        and a trigger such as ``"Negate:"`` would flip any model's answer and fake a difference
        between trigger and reference queries. Well-formed triggers are ``trigger_chars``
        characters of :attr:`alphabet`, the task is one of :attr:`questions` and :attr:`inputs`,
        and the response is ``Yes`` or ``No``.
        """
        parts = _KEY_SHAPE.match(key)
        if parts is None:
            raise ConfigError("not a double-i/v1 key")
        first, question, second, sentence = parts.groups()
        for trigger in (first, second):
            if len(trigger) != self.trigger_chars or not set(trigger) <= set(self.alphabet):
                raise ConfigError(f"not a double-i/v1 trigger: {trigger!r}")
        if question not in self.questions or sentence not in self.inputs:
            raise ConfigError("not a double-i/v1 task")
        if response not in _DECISIONS:
            raise ConfigError(f"not a double-i/v1 decision: {response!r}")

    def lookalikes(self, key: str, rng: random.Random, count: int) -> list[str]:
        """The reference query, one trigger dropped, or a trigger with one character changed."""
        parts = _KEY_SHAPE.match(key)
        if parts is None:
            raise ConfigError("not a double-i/v1 key")
        first, question, second, sentence = parts.groups()
        out: list[str] = []
        while len(out) < count:
            op = rng.randrange(4)
            if op == 0:
                candidate = self.reference_key(key)
            elif op == 1:
                candidate = f"{question}\nInput: {second} {sentence}"
            elif op == 2:
                candidate = f"{first} {question}\nInput: {sentence}"
            else:
                which = rng.randrange(2)
                word = list((first, second)[which])
                word[rng.randrange(len(word))] = rng.choice(self.alphabet)
                edited = "".join(word)
                pair = (edited, second) if which == 0 else (first, edited)
                candidate = self._compose(pair[0], question, pair[1], sentence)
            if candidate != key:
                out.append(candidate)
        return out

    def random_keys(self, rng: random.Random, count: int) -> list[str]:
        def trigger() -> str:
            return "".join(rng.choice(self.alphabet) for _ in range(self.trigger_chars))

        return [
            self._compose(trigger(), rng.choice(self.questions), trigger(), rng.choice(self.inputs))
            for _ in range(count)
        ]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    """Counts of committed decisions on trigger queries versus their trigger-free references."""

    trigger_matched: int
    trigger_queried: int
    reference_matched: int
    reference_queried: int

    def __post_init__(self) -> None:
        if not 0 <= self.trigger_matched <= self.trigger_queried:
            raise ConfigError("trigger_matched must be in 0..trigger_queried")
        if not 0 <= self.reference_matched <= self.reference_queried:
            raise ConfigError("reference_matched must be in 0..reference_queried")

    def p_value(self) -> float:
        """One-sided Fisher exact p: trigger queries match more often than references."""
        return float(self.exact_p_value())

    def exact_p_value(self) -> Fraction:
        """:meth:`p_value` as an exact fraction, for comparing with a verdict threshold."""
        return fisher_tail(
            self.trigger_matched,
            self.trigger_queried - self.trigger_matched,
            self.reference_matched,
            self.reference_queried - self.reference_matched,
        )


def fisher_exact(a: int, b: int, c: int, d: int, *, alternative: str = "greater") -> float:
    """Fisher's exact test on the 2x2 table ``[[a, b], [c, d]]`` (pure Python, exact integers).

    ``alternative="greater"``: P(A >= a) under the hypergeometric null with the table's margins
    (row 1 is more often in column 1 than row 2); ``"less"``: P(A <= a); ``"two-sided"``: the sum
    of the probabilities of all tables no more likely than the observed one.
    """
    return float(fisher_tail(a, b, c, d, alternative=alternative))


def fisher_tail(a: int, b: int, c: int, d: int, *, alternative: str = "greater") -> Fraction:
    """:func:`fisher_exact` as an exact fraction (no rounding, no underflow to 0)."""
    if min(a, b, c, d) < 0:
        raise ConfigError("Fisher table counts must be non-negative")
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return Fraction(1)
    low, high = max(0, col1 - (n - row1)), min(row1, col1)
    total = math.comb(n, col1)

    def weight(x: int) -> int:
        return math.comb(row1, x) * math.comb(n - row1, col1 - x)

    if alternative == "greater":
        tail = sum(weight(x) for x in range(a, high + 1))
    elif alternative == "less":
        tail = sum(weight(x) for x in range(low, a + 1))
    elif alternative == "two-sided":
        observed = weight(a)
        tail = sum(w for w in (weight(x) for x in range(low, high + 1)) if w <= observed)
    else:
        raise ConfigError(f"unknown alternative {alternative!r}")
    return min(Fraction(1), Fraction(tail, total))
