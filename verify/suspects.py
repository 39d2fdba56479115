"""Suspects that fight back: a local model served the way a careful thief's deployment serves it.

The adversary bench (``benchmarks/bench_adversary.py``) and its fast tests use these to measure what
a fingerprint is worth inside someone else's product, where the suspect has read modelprint's
source. A :class:`Deployment` says what the product adds to every conversation (a system prompt,
a wrapper around the user's message), how it decodes (greedy or sampled), whether it uses the chat
template at all, and which filters it runs: an :class:`InputFilter` that refuses queries that look
like fingerprint keys, an :class:`OutputFilter` that rewrites answers that look like committed
responses. :class:`DeployedResponder` answers a challenge's queries through it.

The filters are fitted the way a suspect could fit them: from the pairs of one earlier reveal (a
reveal is public once published) and from the ordinary traffic the product already sees.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..protocol.challenge import Query
from ..protocol.errors import ConfigError
from .responders import Progress, Reply

__all__ = [
    "DeployedResponder",
    "Deployment",
    "InputFilter",
    "OutputFilter",
    "SourceAwareFilter",
    "roc_auc",
]

REFUSAL = "I'm sorry, but I can't help with that request."


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Area under the ROC curve of a score that should be higher for ``positives``: the chance
    that a random positive outscores a random negative (ties count half). 0.5 is chance."""
    if not positives or not negatives:
        raise ConfigError("ROC AUC needs positives and negatives")
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def _ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _non_latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN")) / len(letters)


@dataclass
class InputFilter:
    """Refuses queries that look like the keys of one seen reveal.

    Three features, as the literature's adaptive attacks use them: the share of word 3-grams a
    query shares with the seen keys (template n-grams), the share of its letters outside the
    Latin script, and its perplexity under the base model (``perplexity``, optional). Each is
    turned into a score against the ordinary prompts the filter was fitted on (the fraction of
    ordinary prompts it exceeds), and the query's score is the largest of the three. The
    threshold refuses at most ``false_refusals`` of ordinary traffic.
    """

    seen_keys: Sequence[str]
    ordinary: Sequence[str]
    perplexity: Callable[[str], float] | None = None
    false_refusals: float = 0.05
    _grams: set[tuple[str, ...]] = field(init=False, default_factory=set)
    _reference: dict[str, list[float]] = field(init=False, default_factory=dict)
    threshold: float = field(init=False, default=1.0)

    def __post_init__(self) -> None:
        if not self.seen_keys or not self.ordinary:
            raise ConfigError("an input filter needs seen keys and ordinary prompts")
        for key in self.seen_keys:
            self._grams |= _ngrams(_words(key), 3)
        raw = [self._features(p) for p in self.ordinary]
        self._reference = {name: sorted(f[name] for f in raw) for name in raw[0]}
        scores = sorted(self._score_features(f) for f in raw)
        cut = min(len(scores) - 1, math.floor((1.0 - self.false_refusals) * len(scores)))
        self.threshold = scores[cut]

    def _features(self, text: str) -> dict[str, float]:
        grams = _ngrams(_words(text), 3)
        features = {
            "ngrams": len(grams & self._grams) / max(1, len(grams)),
            "script": _non_latin_share(text),
        }
        if self.perplexity is not None:
            features["perplexity"] = math.log(max(1.0, self.perplexity(text)))
        return features

    def _score_features(self, features: dict[str, float]) -> float:
        def rank(name: str, value: float) -> float:
            ref = self._reference[name]
            below = sum(1 for r in ref if r < value) + 0.5 * sum(1 for r in ref if r == value)
            return below / len(ref)

        return max(rank(name, value) for name, value in features.items())

    def score(self, text: str) -> float:
        """How key-like ``text`` looks (0..1; higher: more suspicious)."""
        return self._score_features(self._features(text))

    def refuses(self, text: str) -> bool:
        return self.score(text) > self.threshold


class SourceAwareFilter:
    """Refuses every query the scheme's own public code would have written: a suspect who has read
    modelprint's source recognises if-decrypt/v1's template, double-i/v1's trigger shape, and
    parses natural/v1's grammar (:meth:`~modelprint.protocol.scheme_natural.NaturalScheme.parse`).
    What this costs the suspect is every ordinary request its recogniser also matches."""

    _DOUBLE_I = re.compile(r"^\S+ .+\nInput: \S+ .+\nAnswer with Yes or No\.$", re.DOTALL)

    def __init__(self, scheme: Any) -> None:
        self.scheme = scheme

    def refuses(self, text: str) -> bool:
        name = self.scheme.name
        if name == "if-decrypt/v1":
            return (
                "decrypt this message" in text.casefold()
                or "fingerprint message" in text.casefold()
            )
        if name == "double-i/v1":
            return bool(self._DOUBLE_I.match(text)) and _non_latin_share(text) > 0.0
        parse = getattr(self.scheme, "parse", None)
        return parse is not None and parse(text) is not None

    def score(self, text: str) -> float:
        return 1.0 if self.refuses(text) else 0.0


@dataclass
class OutputFilter:
    """Rewrites answers that look like the committed responses of one seen reveal.

    A reply is caught when it shares a run of ``min_shared`` words with a seen committed reply
    (the fixed shape of a scheme's answers: "Based on my fingerprint, the message is"), when it
    contains one of ``vocabulary`` (words the suspect knows committed responses are drawn from: a
    scheme's public word lists), or when its word shape (words and numbers in order) contains the
    shape of a seen response. Caught replies are replaced by a refusal.
    """

    seen_replies: Sequence[str]
    seen_responses: Sequence[str] = ()
    vocabulary: frozenset[str] = frozenset()
    min_shared: int = 4
    _runs: set[tuple[str, ...]] = field(init=False, default_factory=set)
    _shapes: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        for reply in self.seen_replies:
            self._runs |= _ngrams(_words(reply), self.min_shared)
        self._shapes = {_shape(r) for r in self.seen_responses if _shape(r)}

    def catches(self, text: str) -> bool:
        words = _words(text)
        if _ngrams(words, self.min_shared) & self._runs:
            return True
        if self.vocabulary and set(words) & self.vocabulary:
            return True
        shape = _shape(text)
        return any(s in shape for s in self._shapes if len(s) >= 3)

    def rewrite(self, text: str) -> str:
        return REFUSAL if self.catches(text) else text


def _shape(text: str) -> str:
    """Words as ``w``, numbers as ``n``: the shape of ``amber falcon 7319`` is ``wwn``."""
    return "".join("n" if w.isdigit() else "w" for w in _words(text))


@dataclass(frozen=True)
class Deployment:
    """How a suspect serves its model."""

    name: str = "as released"
    system_prompt: str | None = None
    wrap: str = "{prompt}"
    """The user message the product actually sends, with ``{prompt}`` the user's text."""
    temperature: float = 0.0
    top_p: float = 1.0
    chat_template: bool = True
    input_filter: InputFilter | SourceAwareFilter | None = None
    output_filter: OutputFilter | None = None

    def conversation(self, query: Query) -> list[dict[str, str]]:
        messages = [dict(m) for m in query.chat()]
        messages[-1]["content"] = self.wrap.format(prompt=messages[-1]["content"])
        if self.system_prompt is not None and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        return messages

    def but(self, **changes: Any) -> Deployment:
        return replace(self, **changes)


class DeployedResponder:
    """A loaded chat model (:class:`~modelprint.verify.generation.ChatGenerator`) answering
    through a :class:`Deployment`: what a verifier meets when it queries someone's product."""

    def __init__(
        self,
        generator: Any,
        deployment: Deployment,
        *,
        max_tokens: int = 32,
        batch_size: int = 16,
        seed: int = 0,
    ) -> None:
        self.generator = generator
        self.deployment = deployment
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.seed = seed

    def describe(self) -> str:
        return f"simulated deployment '{self.deployment.name}' of {self.generator.label}"

    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]:
        d = self.deployment
        refused = [
            d.input_filter is not None and d.input_filter.refuses(q.chat()[-1]["content"])
            for q in queries
        ]
        asked = [q for q, r in zip(queries, refused, strict=True) if not r]
        draws = max((q.samples for q in asked), default=1) if d.temperature > 0 else 1
        samples = [
            iter(
                self.generator.generate(
                    [d.conversation(q) for q in asked],
                    max_tokens=self.max_tokens,
                    batch_size=self.batch_size,
                    temperature=d.temperature,
                    top_p=d.top_p,
                    seed=self.seed + draw,
                    chat_template=d.chat_template,
                )
                if asked
                else []
            )
            for draw in range(draws)
        ]
        replies = []
        for query, was_refused in zip(queries, refused, strict=True):
            if was_refused:
                texts = [REFUSAL] * query.samples
            else:
                drawn = [next(s) for s in samples]
                texts = (drawn * query.samples)[: query.samples] if draws == 1 else drawn
            if d.output_filter is not None:
                texts = [d.output_filter.rewrite(t) for t in texts]
            reply = Reply(query.index, texts[0], None, 0.0, tuple(texts[1 : query.samples]))
            replies.append(reply)
            if progress:
                progress(reply)
        return replies
