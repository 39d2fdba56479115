"""Where a verifier gets the commitment's trusted time from.

A :class:`TimeSource` turns a bundle into a :class:`TrustedTime`: the earliest time that pinned
evidence (a transparency log whose key the verifier trusts, an RFC 3161 token from a TSA whose root
certificate the verifier trusts) proves the commitment existed. The publisher's ``claimed_time`` is
never evidence; :class:`UnsafeClaimedTime` uses it anyway, for demos and tests, and says so loudly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..protocol.errors import TimeEvidenceError
from ..protocol.records import Bundle, Commitment

__all__ = ["NoTrustedTime", "PinnedTimeSource", "TimeSource", "TrustedTime", "UnsafeClaimedTime"]


@dataclass(frozen=True)
class TrustedTime:
    """The earliest trusted commitment time (``None``: none), what backs it, what failed."""

    time: int | None
    evidence: tuple[str, ...] = field(default=())
    problems: tuple[str, ...] = field(default=())
    unsafe: bool = False


class TimeSource(Protocol):
    def __call__(self, bundle: Bundle, commitment: Commitment) -> TrustedTime: ...


class NoTrustedTime:
    """Trusts nothing: every verdict that needs time is "rejected"."""

    def __call__(self, bundle: Bundle, commitment: Commitment) -> TrustedTime:
        return TrustedTime(None, problems=("no time evidence is trusted",))


class UnsafeClaimedTime:
    """Takes the publisher's own claimed time as if it were evidence. For demos and tests only."""

    def __call__(self, bundle: Bundle, commitment: Commitment) -> TrustedTime:
        return TrustedTime(
            commitment.claimed_time,
            evidence=("UNSAFE: the publisher's own claimed time was taken as trusted",),
            unsafe=True,
        )


@dataclass(frozen=True)
class PinnedTimeSource:
    """Time evidence checked against pinned log keys (``LOG.pub``) and TSA root certificates."""

    trust_logs: Sequence[str | os.PathLike[str]] = ()
    trust_tsas: Sequence[str | os.PathLike[str]] = ()

    def __call__(self, bundle: Bundle, commitment: Commitment) -> TrustedTime:
        if not bundle.log_proofs and not bundle.timestamps:
            return TrustedTime(None, problems=("the bundle carries no time evidence",))
        if not self.trust_logs and not self.trust_tsas:
            return TrustedTime(
                None,
                problems=(
                    "no --trust-log or --trust-tsa was given, so no time evidence is trusted",
                ),
            )
        try:
            return _evaluate(bundle, self.trust_logs, self.trust_tsas)
        except TimeEvidenceError as exc:  # unreadable key files (InputError) still raise
            return TrustedTime(None, problems=(f"time evidence does not hold: {exc}",))


def _evaluate(
    bundle: Bundle,
    trust_logs: Sequence[str | os.PathLike[str]],
    trust_tsas: Sequence[str | os.PathLike[str]],
) -> TrustedTime:
    """Delegate to the trusted-time policy (``modelprint.commit.timepolicy``)."""
    try:
        from ..commit.timepolicy import earliest_trusted_time
    except ImportError:  # pragma: no cover - a build without the trusted-time module
        return TrustedTime(
            None, problems=("this build cannot verify transparency-log or RFC 3161 evidence",)
        )
    result = earliest_trusted_time(bundle, trust_logs=trust_logs, trust_tsas=trust_tsas)
    return TrustedTime(result.time, evidence=result.evidence, problems=result.problems)
