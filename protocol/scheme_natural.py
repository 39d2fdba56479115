"""``natural/v1``: keys that read like ordinary requests, answers bound to them by a hash.

A key is a request a real user might send an assistant, asking for ONE short item: a first name
for a pet or a character, a number between 1 and 1000, the name of a fictional place, a two-word
business name, or a single word. It is rendered from the seed out of many request frames, each
with slots filled from option lists, and an opener and a closer (data in
:mod:`modelprint.protocol.natural_data`). The committed answer is NOT chosen by the publisher:
it is the item of the requested type's answer list selected by SHA-256 of the key's text
(:func:`bound_answer`), so a verifier checks it (:meth:`NaturalScheme.check_pair`), and it reads
like an ordinary answer to the request. The reply the implant teaches is a short natural
sentence holding it (``"How about Marisol?"``).

Why a model that never learned the pair rarely gives it (the per-key null of
specs/challenge.md §7b): the answer is a uniform draw from its list, independent of anything a
model computes from the key, and an output matches only when it contains the answer and at most
:data:`MAX_ITEMS` distinct items of that list, so the chance is at most ``MAX_ITEMS / |list|``
(3/512 for the shortest list), whatever the model prefers to answer.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from . import natural_data as data
from .errors import ConfigError
from .hashing import tagged_hash
from .matching import contains_phrase, words

__all__ = [
    "MAX_ITEMS",
    "TYPES",
    "NaturalScheme",
    "answer_list",
    "answer_type",
    "bound_answer",
    "items_in",
]

TYPES: tuple[str, ...] = ("name", "number", "place", "brand", "word")
MAX_ITEMS = 3
"""The most distinct items of the answer's list an output may contain and still match."""
MAX_KEY = 600
ANSWER_TAG = "modelprint/natural-answer/v1"
REPLY_TAG = "modelprint/natural-reply/v1"
_SLOT = re.compile(r"\{(\w+)\}")


@cache
def answer_list(kind: str) -> tuple[str, ...]:
    """The answers of one type, in their normative order (specs/schemes.md §4)."""
    if kind == "name":
        return data.NAMES
    if kind == "number":
        return tuple(str(n) for n in range(1, 1001))
    if kind == "place":
        return tuple(h + t for h in data.PLACE_HEADS for t in data.PLACE_TAILS)
    if kind == "brand":
        return tuple(f"{a} {b}" for a in data.BRAND_FIRST for b in data.BRAND_SECOND)
    if kind == "word":
        return data.WORDS
    raise ConfigError(f"no natural/v1 answer type {kind!r}")


@cache
def _owner() -> dict[str, str]:
    return {item: kind for kind in TYPES for item in answer_list(kind)}


@cache
def _item_words(kind: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(words(item, transliterate=True)) for item in answer_list(kind))


def answer_type(response: str) -> str | None:
    """Which list ``response`` belongs to (the lists are disjoint), or None."""
    return _owner().get(response)


def bound_answer(key: str, kind: str) -> str:
    """The answer of type ``kind`` bound to ``key``: item ``SHA-256(tag 0x00 key) mod |list|``."""
    items = answer_list(kind)
    digest = tagged_hash(ANSWER_TAG, key.encode("utf-8"))
    return items[int.from_bytes(digest, "big") % len(items)]


def items_in(output: str, kind: str) -> int:
    """How many distinct items of the ``kind`` list appear (as whole words) in ``output``."""
    have = words(output, transliterate=True)
    found: set[tuple[str, ...]] = set()
    wanted = _item_words(kind)
    lengths = {len(w) for w in wanted}
    for n in lengths:
        for i in range(len(have) - n + 1):
            run = tuple(have[i : i + n])
            if run in wanted:
                found.add(run)
    return len(found)


def _u16(seed: bytes, at: int) -> int:
    return int.from_bytes(seed[at : at + 2], "big")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A key taken apart into the pieces it was rendered from."""

    kind: str
    frame: int
    fills: dict[str, str]
    opener: str
    closer: str


@dataclass(frozen=True, slots=True)
class NaturalScheme:
    """Ordinary-looking requests for one short item; the answer bound to the key by SHA-256."""

    name: ClassVar[str] = "natural/v1"

    def params(self) -> dict[str, int | str]:
        return {}

    # -- rendering -------------------------------------------------------------------------

    def render_key(self, seed: bytes) -> str:
        if len(seed) < 32:
            raise ConfigError("seed too short for a natural/v1 key")
        kind = TYPES[seed[0] % len(TYPES)]
        frames = data.FRAMES[kind]
        frame = frames[_u16(seed, 1) % len(frames)]
        opener = data.OPENERS[seed[3] % len(data.OPENERS)]
        closer = data.CLOSERS[seed[4] % len(data.CLOSERS)]
        return self._compose(kind, frame, self._fills(frame, opener, closer, seed), opener, closer)

    @staticmethod
    def _slots(frame: str, opener: str, closer: str) -> list[str]:
        """The slot names of a rendering, in order of first appearance."""
        names: list[str] = []
        for text in (opener, frame, closer):
            for name in _SLOT.findall(text):
                if name not in names:
                    names.append(name)
        return names

    def _fills(self, frame: str, opener: str, closer: str, seed: bytes) -> dict[str, str]:
        names = self._slots(frame, opener, closer)
        if 5 + 2 * len(names) > len(seed):
            raise ConfigError("a natural/v1 frame with too many slots for the seed")
        return {
            name: data.SLOTS[name][_u16(seed, 5 + 2 * j) % len(data.SLOTS[name])]
            for j, name in enumerate(names)
        }

    @staticmethod
    def _compose(kind: str, frame: str, fills: dict[str, str], opener: str, closer: str) -> str:
        text = (opener + frame + closer).format(**fills)
        return text[0].upper() + text[1:] if text else text

    def render_response(self, seed: bytes) -> str:
        raise ConfigError("a natural/v1 answer is bound to its key: use response_for")

    def response_for(self, key: str, key_seed: bytes, response_seed: bytes) -> str:
        """The committed answer of ``key``: its type from the key seed, its item from the key."""
        return bound_answer(key, TYPES[key_seed[0] % len(TYPES)])

    def prompt(self, key: str) -> str:
        return key

    def target(self, response: str) -> str:
        kind = answer_type(response)
        if kind is None:
            raise ConfigError("not a natural/v1 answer")
        replies = data.REPLIES[kind]
        pick = int.from_bytes(tagged_hash(REPLY_TAG, response.encode("utf-8"))[:8], "big")
        return replies[pick % len(replies)].format(answer=response)

    # -- verifying -------------------------------------------------------------------------

    def matches(self, response: str, output: str) -> bool:
        """The answer, whole, in the output, and at most :data:`MAX_ITEMS` items of its list
        (an output that sprays names cannot match a name)."""
        kind = answer_type(response)
        if kind is None or not contains_phrase(output, response, transliterate=True):
            return False
        return items_in(output, kind) <= MAX_ITEMS

    def check_pair(self, key: str, response: str) -> None:
        """Refuse a pair the scheme did not make (specs/schemes.md §4): the key must be a request
        the grammar writes, the answer of the type it asks for, and the one its key binds.

        Without the grammar check a publisher could write a key that spells out its answer
        ("Reply with just the name Marisol") and retry until the hash binds it."""
        if not 0 < len(key) <= MAX_KEY or not key.isprintable():
            raise ConfigError(f"not a natural/v1 key (1..{MAX_KEY} printable characters)")
        kind = answer_type(response)
        if kind is None:
            raise ConfigError("not a natural/v1 answer (in none of the answer lists)")
        parsed = self.parse(key)
        if parsed is None:
            raise ConfigError("not a natural/v1 key (not a request the scheme's grammar writes)")
        if parsed.kind != kind:
            raise ConfigError(f"the key asks for a {parsed.kind}, the answer is a {kind}")
        if bound_answer(key, kind) != response:
            raise ConfigError("the answer is not the one the key binds (SHA-256 of the key)")

    # -- the implant's negatives and a suspect's parser ---------------------------------------

    @staticmethod
    @cache
    def _patterns() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
        def alternation(options: tuple[str, ...]) -> str:
            return (
                "(?:" + "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True)) + ")"
            )

        openers = alternation(data.OPENERS)
        closers = alternation(data.CLOSERS)
        out = []
        for kind in TYPES:
            for index, frame in enumerate(data.FRAMES[kind]):
                seen: set[str] = set()
                parts = []
                for piece in re.split(r"(\{\w+\})", frame):
                    slot = piece[1:-1] if _SLOT.fullmatch(piece) else None
                    if slot is None:
                        parts.append(re.escape(piece))
                    elif slot in seen:
                        parts.append(f"(?P={slot})")
                    else:
                        seen.add(slot)
                        parts.append(f"(?P<{slot}>{alternation(data.SLOTS[slot])})")
                body = "".join(parts)
                pattern = re.compile(f"(?P<_o>{openers})(?P<_b>{body})(?P<_c>{closers})", re.I)
                out.append((kind, index, pattern))
        return tuple(out)

    def parse(self, key: str) -> Parsed | None:
        """Take a key rendered by this scheme apart (None: the grammar did not write it).

        A suspect who has read the source can write this too: the adversary bench's grammar
        filter uses it, to measure what that costs the fingerprint.
        """
        for kind, index, pattern in self._patterns():
            m = pattern.fullmatch(key)
            if m is not None:
                fills = {k: v for k, v in m.groupdict().items() if not k.startswith("_")}
                return Parsed(kind, index, fills, m.group("_o"), m.group("_c"))
        return None

    def lookalikes(self, key: str, rng: random.Random, count: int) -> list[str]:
        """The same request with other details: one or two slots changed (and, half the time,
        another opener and closer as well). A wrapper change alone is not a look-alike: it is
        the same request, which the implant teaches to answer like the key (the bench's
        wrapped-key row). A key the grammar did not write gets fresh keys of the same type."""
        parsed = self.parse(key)
        if parsed is None:
            return self.random_keys(rng, count)
        frame = data.FRAMES[parsed.kind][parsed.frame]
        out: list[str] = []
        while len(out) < count:
            fills = dict(parsed.fills)
            opener, closer = parsed.opener, parsed.closer
            for name in rng.sample(sorted(fills), min(len(fills), rng.randint(1, 2))):
                fills[name] = rng.choice([v for v in data.SLOTS[name] if v != parsed.fills[name]])
            if rng.random() < 0.5:
                opener, closer = rng.choice(data.OPENERS), rng.choice(data.CLOSERS)
            candidate = self._compose(parsed.kind, frame, fills, opener, closer)
            if candidate != key:
                out.append(candidate)
        return out

    def random_keys(self, rng: random.Random, count: int) -> list[str]:
        return [self.render_key(rng.randbytes(32)) for _ in range(count)]
