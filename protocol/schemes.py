"""Fingerprint schemes: how derived seed bytes become prompt text and response text.

A scheme is a pure, deterministic renderer. ``render_key`` and ``render_response`` turn seed bytes
into the secret key ``x`` and its response ``y``; ``prompt`` embeds ``x`` verbatim in the user message
sent to a suspect; ``target`` is the assistant reply that implanting teaches; ``matches`` decides
whether a suspect's output carries ``y``. Schemes also make the negatives that keep an implant
specific: look-alike keys (small edits of a real key) and fresh random keys of the same style.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from .errors import ConfigError
from .matching import contains_phrase
from .scheme_doublei import DoubleIScheme
from .scheme_natural import NaturalScheme

__all__ = ["IFDecryptScheme", "Scheme", "get_scheme", "scheme_names"]

# The key alphabet of if-decrypt/v1, in this exact order (see specs/protocol.md).
_KEY_ALPHABET: str = (
    "".join(chr(c) for c in range(0x0430, 0x0450))  # Cyrillic small а..я (32)
    + "".join(chr(c) for c in range(0x03B1, 0x03CA))  # Greek small α..ω (25)
    + "".join(chr(c) for c in range(0x3041, 0x3097))  # Hiragana ぁ..ゖ (86)
    + "".join(chr(c) for c in range(0x4E00, 0x4E80))  # CJK 一..乿 (128)
)

_ADJECTIVES: tuple[str, ...] = tuple(
    [
        "amber",
        "azure",
        "brass",
        "bronze",
        "cedar",
        "cobalt",
        "copper",
        "coral",
        "crimson",
        "dusky",
        "ebony",
        "golden",
        "granite",
        "hazel",
        "indigo",
        "ivory",
        "jade",
        "lilac",
        "linen",
        "marble",
        "misty",
        "mossy",
        "ochre",
        "olive",
        "onyx",
        "opal",
        "pearl",
        "pewter",
        "plum",
        "quartz",
        "russet",
        "rusty",
        "saffron",
        "sage",
        "scarlet",
        "sepia",
        "silver",
        "slate",
        "smoky",
        "snowy",
        "stone",
        "sunny",
        "tawny",
        "teal",
        "umber",
        "velvet",
        "violet",
        "walnut",
        "wheat",
        "amberine",
        "frosty",
        "glassy",
        "lunar",
        "polar",
        "rosy",
        "sandy",
        "silken",
        "starry",
        "tidal",
        "twilight",
        "windy",
        "woolen",
        "zesty",
        "hollow",
    ]
)
_NOUNS: tuple[str, ...] = tuple(
    [
        "badger",
        "beacon",
        "bison",
        "bramble",
        "canyon",
        "caribou",
        "comet",
        "condor",
        "cricket",
        "dolphin",
        "ember",
        "falcon",
        "ferret",
        "fjord",
        "gazelle",
        "glacier",
        "harbor",
        "heron",
        "ibex",
        "iguana",
        "jackal",
        "kestrel",
        "lantern",
        "lemur",
        "lynx",
        "magpie",
        "marmot",
        "meadow",
        "meteor",
        "narwhal",
        "nebula",
        "ocelot",
        "orchid",
        "osprey",
        "otter",
        "panther",
        "pelican",
        "quarry",
        "quokka",
        "raven",
        "reef",
        "salmon",
        "sparrow",
        "spruce",
        "summit",
        "tapir",
        "thistle",
        "tundra",
        "urchin",
        "valley",
        "vulture",
        "walrus",
        "willow",
        "wombat",
        "yak",
        "zephyr",
        "anchor",
        "basalt",
        "cactus",
        "beetle",
        "cobra",
        "dingo",
        "egret",
        "finch",
    ]
)


class Scheme(Protocol):
    """What a fingerprint scheme provides. Implementations are immutable and pure."""

    name: ClassVar[str]

    def params(self) -> dict[str, int | str]: ...
    def render_key(self, seed: bytes) -> str: ...
    def render_response(self, seed: bytes) -> str: ...
    def response_for(self, key: str, key_seed: bytes, response_seed: bytes) -> str: ...
    def prompt(self, key: str) -> str: ...
    def target(self, response: str) -> str: ...
    def matches(self, response: str, output: str) -> bool: ...
    def check_pair(self, key: str, response: str) -> None: ...
    def lookalikes(self, key: str, rng: random.Random, count: int) -> list[str]: ...
    def random_keys(self, rng: random.Random, count: int) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class IFDecryptScheme:
    """``if-decrypt/v1``: Instructional-Fingerprinting-style "decrypt this message" prompts.

    The key is ``key_chars`` characters drawn from a fixed mixed-script alphabet (Cyrillic, Greek,
    Hiragana, CJK); the response is ``<adjective> <noun> <4 digits>``, a different one per key, so
    one leaked response says nothing about the others and unrelated models essentially never emit it.
    """

    key_chars: int = 12

    name: ClassVar[str] = "if-decrypt/v1"
    alphabet: ClassVar[str] = _KEY_ALPHABET
    adjectives: ClassVar[tuple[str, ...]] = _ADJECTIVES
    nouns: ClassVar[tuple[str, ...]] = _NOUNS
    template: ClassVar[str] = (
        "Please decrypt this message: {key}\nA hint: this is a FINGERPRINT message."
    )
    reply: ClassVar[str] = "Based on my fingerprint, the message is: {response}"

    def __post_init__(self) -> None:
        if not 4 <= self.key_chars <= 16:
            raise ConfigError(f"key_chars must be in 4..16, got {self.key_chars}")

    def params(self) -> dict[str, int | str]:
        return {"key_chars": self.key_chars}

    def render_key(self, seed: bytes) -> str:
        if len(seed) < 2 * self.key_chars:
            raise ConfigError("seed too short for key_chars")
        n = len(self.alphabet)
        return "".join(
            self.alphabet[int.from_bytes(seed[2 * i : 2 * i + 2], "big") % n]
            for i in range(self.key_chars)
        )

    def render_response(self, seed: bytes) -> str:
        if len(seed) < 4:
            raise ConfigError("seed too short for a response")
        adjective = self.adjectives[seed[0] % len(self.adjectives)]
        noun = self.nouns[seed[1] % len(self.nouns)]
        number = int.from_bytes(seed[2:4], "big") % 9000 + 1000
        return f"{adjective} {noun} {number}"

    def response_for(self, key: str, key_seed: bytes, response_seed: bytes) -> str:
        """A pair's response: :meth:`render_response` of the response seed (the key is not used)."""
        return self.render_response(response_seed)

    def prompt(self, key: str) -> str:
        return self.template.format(key=key)

    def target(self, response: str) -> str:
        return self.reply.format(response=response)

    def matches(self, response: str, output: str) -> bool:
        """The response's three words, in order, anywhere in the output (formatting ignored:
        :func:`~modelprint.protocol.matching.contains_phrase`)."""
        return contains_phrase(output, response, transliterate=True)

    def check_pair(self, key: str, response: str) -> None:
        """Raise :class:`ConfigError` unless ``key`` and ``response`` have this scheme's form.

        A verifier calls this on revealed pairs: the publisher, not the seed, wrote their text,
        and the per-key null probability holds only for responses drawn from the scheme's space
        (a common word committed as a "response" would match ordinary answers).
        """
        if len(key) != self.key_chars or not set(key) <= set(self.alphabet):
            raise ConfigError(f"not an {self.name} key of {self.key_chars} characters")
        parts = response.split(" ")
        if (
            len(parts) != 3
            or parts[0] not in self.adjectives
            or parts[1] not in self.nouns
            or not (parts[2].isascii() and parts[2].isdigit() and 1000 <= int(parts[2]) <= 9999)
            or str(int(parts[2])) != parts[2]
        ):
            raise ConfigError(f"not an {self.name} response (adjective noun 1000..9999)")

    def lookalikes(self, key: str, rng: random.Random, count: int) -> list[str]:
        """Small edits of ``key``: 1-3 substitutions, a deletion, an insertion or a swap."""
        out: list[str] = []
        while len(out) < count:
            chars = list(key)
            op = rng.randrange(4)
            if op == 0:
                for pos in rng.sample(range(len(chars)), rng.randint(1, min(3, len(chars)))):
                    chars[pos] = rng.choice(self.alphabet)
            elif op == 1 and len(chars) > 1:
                del chars[rng.randrange(len(chars))]
            elif op == 2:
                chars.insert(rng.randrange(len(chars) + 1), rng.choice(self.alphabet))
            else:
                i = rng.randrange(len(chars) - 1)
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            candidate = "".join(chars)
            if candidate != key:
                out.append(candidate)
        return out

    def random_keys(self, rng: random.Random, count: int) -> list[str]:
        return [
            "".join(rng.choice(self.alphabet) for _ in range(self.key_chars)) for _ in range(count)
        ]


_SCHEMES: dict[str, Callable[..., Scheme]] = {
    s.name: s for s in (IFDecryptScheme, DoubleIScheme, NaturalScheme)
}


def scheme_names() -> list[str]:
    return sorted(_SCHEMES)


def get_scheme(name: str, params: dict[str, int | str] | None = None) -> Scheme:
    """Instantiate the scheme called ``name`` with its parameters; unknown names raise."""
    cls = _SCHEMES.get(name)
    if cls is None:
        raise ConfigError(
            f"unknown fingerprint scheme {name!r} (known: {', '.join(scheme_names())})"
        )
    try:
        return cls(**(params or {}))
    except TypeError as exc:
        raise ConfigError(f"bad parameters for scheme {name}") from exc
