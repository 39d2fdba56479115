"""Scoring a challenge: exact binomial p-values, per-scheme null probabilities, verdicts.

Under the null hypothesis "the suspect never learned these fingerprints", each revealed key makes
the suspect emit its committed response with probability at most ``p0``, the scheme's documented,
conservative per-key null probability (specs/challenge.md, calibrated by
benchmarks/bench_challenge.py). The p-value of ``m`` matches out of ``n`` queries is the exact
binomial upper tail ``P[X >= m] = sum_{i=m}^{n} C(n, i) p0^i (1 - p0)^(n - i)``, computed with
rational arithmetic, so it is exact and never underflows to a misleading 0.

A verdict is "match" only when the reveal verified, the p-value is below the threshold, AND a
trusted commitment time lies strictly before the suspect's first-seen time. Queries that failed
(server faults, timeouts) count as non-matches and mark the result ``partial``.

Schemes whose answers are common words (``double-i/v1``: one-word Yes/No decisions, a chance
baseline near 1/2) have no small per-key null probability. They are scored by
:func:`decide_by_reference` instead: each key is also asked without its triggers, and the p-value is
the one-sided Fisher exact test of "trigger queries get the committed decision more often than
their trigger-free references" (specs/challenge.md §9). :data:`REFERENCE_SCORED` names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from .errors import ConfigError
from .scheme_doublei import DecisionTable
from .verdicts import ChallengeVerdictKind

__all__ = [
    "DEFAULT_THRESHOLD",
    "NULL_PROBABILITIES",
    "REFERENCE_SCORED",
    "Verdict",
    "VerdictKind",
    "binomial_tail",
    "decide",
    "decide_by_reference",
    "null_probability",
]

VerdictKind = ChallengeVerdictKind
"""A challenge's verdict kinds (the challenge part of :mod:`modelprint.protocol.verdicts`)."""

DEFAULT_THRESHOLD = Fraction(1, 10**6)
"""The p-value a "match" must fall below unless the verifier chooses another."""

NULL_PROBABILITIES: dict[str, Fraction] = {
    # if-decrypt/v1: each key has its own "<adjective> <noun> <4 digits>" response, one of
    # 64 * 64 * 9000 (about 3.7e7). The chance that a model that never learned the pair emits it
    # is bounded far below 1e-2; we use 1e-2 so that near-misses of a partly learned look-alike,
    # leaked responses and template echoes are all covered (see specs/challenge.md).
    "if-decrypt/v1": Fraction(1, 100),
    # natural/v1: the answer is a uniform draw from its list (SHA-256 of the key), and an output
    # matches only with at most 3 items of that list in it, so a model that never learned the
    # pair gives it with probability at most 3/512 (the shortest list): 1/128 bounds that
    # (specs/challenge.md section 7b, measured by benchmarks/bench_null.py).
    "natural/v1": Fraction(1, 128),
}


REFERENCE_SCORED: frozenset[str] = frozenset({"double-i/v1"})
"""Schemes scored by Fisher's exact test against reference queries, not by a binomial ``p0``."""


def null_probability(scheme: str, override: Fraction | None = None) -> Fraction:
    """The documented per-key null probability of ``scheme`` (or a verifier's ``override``)."""
    if scheme in REFERENCE_SCORED:
        raise ConfigError(
            f"scheme {scheme!r} has no per-key null probability: it is scored by Fisher's exact "
            "test against reference queries"
        )
    if override is not None:
        if not 0 < override < 1:
            raise ConfigError("a null probability must lie strictly between 0 and 1")
        return override
    p0 = NULL_PROBABILITIES.get(scheme)
    if p0 is None:
        raise ConfigError(f"no documented null probability for scheme {scheme!r}")
    return p0


def binomial_tail(n: int, m: int, p: Fraction) -> Fraction:
    """Exact ``P[X >= m]`` for ``X ~ Binomial(n, p)``, as a fraction."""
    if n < 0 or not 0 <= p <= 1:
        raise ConfigError("binomial parameters out of range")
    if m <= 0:
        return Fraction(1)
    if m > n:
        return Fraction(0)
    q = 1 - p
    return sum((math.comb(n, i) * p**i * q ** (n - i) for i in range(m, n + 1)), Fraction(0))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a challenge, with every reason that led to it."""

    kind: VerdictKind
    matched: int
    queried: int
    failed: int
    p_value: Fraction | None
    threshold: Fraction
    null_probability: Fraction | None
    committed_before: bool
    trusted_time: int | None
    first_seen: int | None
    reasons: tuple[str, ...] = field(default=())
    decisions: DecisionTable | None = None
    """The trigger/reference table of a reference-scored scheme (None for binomial scoring)."""

    @property
    def partial(self) -> bool:
        """True when some queries failed and were counted as non-matches."""
        return self.failed > 0


def decide(
    *,
    matched: int,
    queried: int,
    failed: int,
    p0: Fraction,
    threshold: Fraction,
    trusted_time: int | None,
    first_seen: int,
    excluded: int = 0,
) -> Verdict:
    """Apply the verdict rules of specs/challenge.md to a finished set of queries.

    ``queried`` counts every scored query (failed ones included, as non-matches); ``excluded`` is
    the number of burned indices that were not scored at all.
    """
    if not 0 <= matched <= queried or not 0 <= failed <= queried - matched:
        raise ConfigError("inconsistent match counts")
    p_value = binomial_tail(queried, matched, p0)
    reasons: list[str] = []
    if failed:
        reasons.append(
            f"partial: {failed} of {queried} queries failed and were counted as non-matches"
        )
    if excluded:
        reasons.append(f"{excluded} already-revealed (burned) indices were not scored")
    significant, evidence = _significance(
        queried, p_value, threshold, f"{matched}/{queried} matches: p = "
    )
    return _verdict(
        reasons,
        evidence,
        significant=significant,
        matched=matched,
        queried=queried,
        failed=failed,
        p_value=p_value,
        threshold=threshold,
        null_probability=p0,
        trusted_time=trusted_time,
        first_seen=first_seen,
    )


def _significance(
    queried: int, p_value: Fraction, threshold: Fraction, stated: str
) -> tuple[bool, str]:
    """Whether ``p_value`` is significant, and the evidence line (``stated`` precedes the p)."""
    significant = queried > 0 and p_value < threshold
    if queried == 0:
        return significant, "no fresh fingerprint was queried"
    comparison = "<" if significant else "is not below"
    return significant, f"{stated}{float(p_value):.3g} {comparison} {float(threshold):.3g}"


def decide_by_reference(
    *,
    table: DecisionTable,
    failed: int,
    threshold: Fraction,
    trusted_time: int | None,
    first_seen: int,
    excluded: int = 0,
) -> Verdict:
    """The verdict of a reference-scored scheme (``double-i/v1``) from its decision table.

    ``table`` counts, over the scored pairs, trigger queries that got the committed decision and
    reference queries that got it; the caller has already counted a failed trigger query as a
    non-match and a failed reference query as a match (both against the publisher). ``failed`` is
    the number of such failed queries, trigger and reference together. ``matched``/``queried`` of
    the verdict count trigger queries; ``p_value`` is :meth:`DecisionTable.exact_p_value`.
    """
    if not 0 <= failed <= table.trigger_queried + table.reference_queried:
        raise ConfigError("inconsistent failure count")
    matched, queried = table.trigger_matched, table.trigger_queried
    p_value = table.exact_p_value()
    reasons: list[str] = []
    if failed:
        reasons.append(
            f"partial: {failed} of {table.trigger_queried + table.reference_queried} queries "
            "failed and were counted against the fingerprint (a trigger query as no decision, "
            "a reference query as the committed decision)"
        )
    if excluded:
        reasons.append(f"{excluded} already-revealed (burned) indices were not scored")
    significant, evidence = _significance(
        queried,
        p_value,
        threshold,
        f"{matched}/{queried} trigger and {table.reference_matched}/{table.reference_queried} "
        "reference queries gave the committed decision: Fisher p = ",
    )
    return _verdict(
        reasons,
        evidence,
        significant=significant,
        matched=matched,
        queried=queried,
        failed=failed,
        p_value=p_value,
        threshold=threshold,
        null_probability=None,
        trusted_time=trusted_time,
        first_seen=first_seen,
        decisions=table,
    )


def _verdict(
    reasons: list[str],
    evidence: str,
    *,
    significant: bool,
    matched: int,
    queried: int,
    failed: int,
    p_value: Fraction,
    threshold: Fraction,
    null_probability: Fraction | None,
    trusted_time: int | None,
    first_seen: int,
    decisions: DecisionTable | None = None,
) -> Verdict:
    """The shared rule: time order first (else "rejected"), then significance ("match")."""
    before = trusted_time is not None and trusted_time < first_seen
    if trusted_time is None:
        reasons.append("no trusted commitment time (transparency log or RFC 3161 timestamp)")
    elif not before:
        reasons.append("the trusted commitment time is not before the suspect's first-seen time")
    reasons.append(evidence)
    kind: VerdictKind
    if not before:
        kind = "rejected"
    elif significant:
        kind = "match"
    else:
        kind = "no-match"
    return Verdict(
        kind=kind,
        matched=matched,
        queried=queried,
        failed=failed,
        p_value=p_value,
        threshold=threshold,
        null_probability=null_probability,
        committed_before=before,
        trusted_time=trusted_time,
        first_seen=first_seen,
        reasons=tuple(reasons),
        decisions=decisions,
    )


def rejected(reason: str, *, threshold: Fraction, first_seen: int | None) -> Verdict:
    """A verdict for a challenge that failed before any query could be scored."""
    return Verdict(
        kind="rejected",
        matched=0,
        queried=0,
        failed=0,
        p_value=None,
        threshold=threshold,
        null_probability=None,
        committed_before=False,
        trusted_time=None,
        first_seen=first_seen,
        reasons=(reason,),
    )
