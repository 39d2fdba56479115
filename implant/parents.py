"""The parents' fingerprints a licensee's implant must not erase, and how many of them survive it.

A licensee implants its own keys into the parent's released model. The parent's keys are secret,
so the licensee measures them the way a verifier would: from a reveal the parent gave (the bundle,
the challenge and the signed reveal, checked against the commitment before anything is measured),
or, when the same party holds both sets (a publisher stacking its own stages, a test, the demo),
from the parent's fingerprint file. Each set is scored on the model before the implant and on the
implanted model after it; the implant report carries both rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..protocol.challenge import Challenge, SignedReveal, verify_reveal
from ..protocol.fingerprints import FingerprintPair, FingerprintSet
from ..protocol.records import Bundle
from ..protocol.schemes import Scheme, get_scheme

__all__ = ["ParentKeys", "ParentSurvival", "from_fingerprints", "from_reveal"]


@dataclass(frozen=True, slots=True)
class ParentKeys:
    """Known keys of an earlier stage: whose they are, how they were learnt, and the pairs."""

    label: str
    """The stage's model name (from its bundle or given by the caller)."""
    source: str
    """``reveal`` (a checked reveal: the keys a verifier would score) or ``fingerprints``."""
    scheme_name: str
    scheme_params: dict[str, int | str]
    pairs: tuple[FingerprintPair, ...]

    @property
    def scheme(self) -> Scheme:
        return get_scheme(self.scheme_name, self.scheme_params)

    def success_on(self, model: Any, encoder: Any) -> float:
        """Fraction of these keys whose greedy reply on ``model`` carries its response."""
        from .evaluation import pairs_success

        return pairs_success(model, encoder, self.scheme, self.pairs)


@dataclass(frozen=True, slots=True)
class ParentSurvival:
    """One earlier stage's keys answered before and after the implant."""

    label: str
    source: str
    keys: int
    before: float
    after: float

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "source": self.source,
            "keys": self.keys,
            "success_before": self.before,
            "success_after": self.after,
        }


def from_reveal(bundle: Bundle, challenge: Challenge, reveal: SignedReveal) -> ParentKeys:
    """The revealed pairs, after checking the reveal against the bundle's signed commitment.

    Raises what :func:`~modelprint.protocol.challenge.verify_reveal` raises (a reveal for another
    bundle or challenge, a wrong signature, a leaf outside the committed tree), so a licensee never
    reports survival on keys the parent did not commit to.
    """
    commitment = bundle.commitment()
    checked = verify_reveal(reveal, challenge, commitment, bundle.content_id())
    return ParentKeys(
        label=commitment.model_name,
        source="reveal",
        scheme_name=commitment.scheme,
        scheme_params=dict(commitment.scheme_params),
        pairs=checked.pairs,
    )


def from_fingerprints(fingerprints: FingerprintSet, label: str) -> ParentKeys:
    """Every pair of a fingerprint set the caller holds (the secret file itself)."""
    return ParentKeys(
        label=label,
        source="fingerprints",
        scheme_name=fingerprints.scheme_name,
        scheme_params=dict(fingerprints.scheme_params),
        pairs=tuple(fingerprints.pairs()),
    )


def measure_survival(
    parents: Sequence[ParentKeys], before: Sequence[float], model: Any, encoder: Any
) -> list[ParentSurvival]:
    """Each parent's success on ``model`` next to the rate measured before the implant."""
    return [
        ParentSurvival(
            label=p.label,
            source=p.source,
            keys=len(p.pairs),
            before=rate,
            after=p.success_on(model, encoder),
        )
        for p, rate in zip(parents, before, strict=True)
    ]
