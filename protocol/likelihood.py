"""The likelihood rank test: evidence from a suspect's log-probabilities, no exact output needed.

A suspect that samples, or wraps its answers, may never write a committed response verbatim; its
probabilities still prefer it. For each revealed pair the verifier draws ``D`` *decoy* responses
the way the committed one was drawn (from the scheme's response space, independently, seeded by the
verifier's challenge nonce), asks the suspect for the log-probability of the scheme's reply with
each candidate, and ranks the committed one among the ``D + 1``. A key *matches* when the committed
response ranks strictly first.

Under the null (the suspect never learned the pair) the committed response is one more draw from
the same distribution as the decoys and independent of the suspect, so the ``D + 1`` candidates are
exchangeable and the committed one ranks strictly first with probability at most ``1 / (D + 1)``,
whatever the model: ``p0 = 1 / (D + 1)`` is exact, not calibrated (specs/challenge.md §10). The
p-value over keys is the binomial tail of §6. Schemes whose responses are not drawn from a space
(``double-i/v1``'s Yes/No) have no decoys.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .errors import ConfigError
from .hashing import tagged_hash

__all__ = ["DECOYS", "MAX_DECOYS", "decoys", "null_probability", "ranks_first"]

DECOYS = 99
"""Decoys per key by default: a per-key null probability of 1/100."""
MAX_DECOYS = 999
DECOY_TAG = "modelprint/likelihood-decoy/v1"


def _seed(nonce: bytes, key: str, j: int) -> bytes:
    return tagged_hash(DECOY_TAG, nonce + key.encode("utf-8") + j.to_bytes(4, "big"))


def decoys(scheme_name: str, key: str, response: str, nonce: bytes, count: int) -> list[str]:
    """``count`` distinct responses drawn like ``response`` was, none equal to it.

    ``if-decrypt/v1``: ``render_response`` of fresh 16-byte seeds; ``natural/v1``: uniform items
    of the committed answer's own list. Seeds are ``SHA-256(tag 0x00 nonce key j)``, so a verifier
    who knows the challenge can recompute them.
    """
    if not 1 <= count <= MAX_DECOYS:
        raise ConfigError(f"decoys must be 1..{MAX_DECOYS}")
    if scheme_name == "if-decrypt/v1":
        from .schemes import IFDecryptScheme

        scheme = IFDecryptScheme()

        def draw(seed: bytes) -> str:
            return scheme.render_response(seed[:16])

    elif scheme_name == "natural/v1":
        from .scheme_natural import answer_list, answer_type

        kind = answer_type(response)
        if kind is None:
            raise ConfigError("not a natural/v1 answer")
        items = answer_list(kind)
        if count >= len(items):
            raise ConfigError(f"at most {len(items) - 1} decoys for a {kind}")

        def draw(seed: bytes) -> str:
            return items[int.from_bytes(seed, "big") % len(items)]

    else:
        raise ConfigError(f"{scheme_name} has no response space to draw decoys from")
    out: list[str] = []
    seen = {response}
    j = 0
    while len(out) < count:
        candidate = draw(_seed(nonce, key, j))
        j += 1
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
        if j > 64 * count + 1024:  # pragma: no cover - the spaces are far larger than count
            raise ConfigError("could not draw enough distinct decoys")
    return out


def ranks_first(committed: float, decoy_scores: Sequence[float]) -> bool:
    """Whether the committed response's log-probability beats every decoy's (a tie loses)."""
    return all(committed > score for score in decoy_scores)


def null_probability(count: int) -> Fraction:
    """The exact per-key null probability of the test with ``count`` decoys."""
    return Fraction(1, count + 1)
