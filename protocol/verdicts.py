"""The one verdict vocabulary of modelprint: challenge, chain and check answer in these words.

    "valid"     the evidence holds (``check``; a chain verified without a suspect)
    "match"     the evidence holds and the suspect carries the fingerprints
    "no-match"  the evidence holds, and the suspect does not carry them significantly
    "rejected"  the evidence does not hold: a signature, proof, reveal, grant or trusted time

``valid`` and ``match`` are positive (exit code 0); ``no-match`` and ``rejected`` are not (exit
code 1). Every verdict comes with its reasons as data; the verdict is never read from their words.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["POSITIVE", "ChallengeVerdictKind", "VerdictKind", "exit_code", "is_positive"]

ChallengeVerdictKind = Literal["match", "no-match", "rejected"]
"""What a challenge of a suspect can conclude."""

VerdictKind = Literal["valid", ChallengeVerdictKind]
"""Every verdict kind: a challenge's, or ``valid`` for evidence checked without a suspect."""

POSITIVE: frozenset[str] = frozenset({"valid", "match"})


def is_positive(kind: VerdictKind) -> bool:
    """Whether ``kind`` is a positive outcome (``valid`` or ``match``)."""
    return kind in POSITIVE


def exit_code(kind: VerdictKind) -> int:
    """The CLI exit code of a verdict: 0 positive, 1 otherwise (2 is for bad input, not here)."""
    return 0 if is_positive(kind) else 1
