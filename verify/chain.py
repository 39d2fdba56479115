"""Verifying a license chain B0 <- B1 <- ... root first, and optionally challenging a suspect.

Each link must hold: B0 has no parent; every later commitment names the previous bundle's content
id as parent and carries the grant that the previous publisher signed to this publisher's key (the
grant's digest is the one the commitment names); no bundle appears twice (no cycles); and trusted
times never go backwards along the chain. With a responder, every stage is challenged with its own
challenge and reveal, and the chain matches only if every stage matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..commit.commitment import verify_grant
from ..protocol.challenge import Challenge, SignedReveal
from ..protocol.envelope import key_id
from ..protocol.errors import ChainError, ModelprintError
from ..protocol.records import Bundle, Grant
from ..protocol.scoring import DEFAULT_THRESHOLD
from .responders import Responder
from .session import Outcome, run_challenge
from .timesource import TimeSource, TrustedTime

__all__ = ["ChainResult", "verify_chain"]


@dataclass
class ChainLink:
    bundle_id: bytes
    model_name: str
    publisher: bytes
    time: TrustedTime
    stage: int
    outcome: Outcome | None = None


@dataclass
class ChainResult:
    links: list[ChainLink]
    reasons: list[str] = field(default_factory=list)
    challenged: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict in ("valid", "match")

    @property
    def verdict(self) -> str:
        if self.reasons and any(r.startswith("broken:") for r in self.reasons):
            return "rejected"
        if not self.challenged:
            return "valid"
        kinds = [link.outcome.verdict.kind if link.outcome else "rejected" for link in self.links]
        if all(k == "match" for k in kinds):
            return "match"
        return "rejected" if "rejected" in kinds else "no-match"

    def to_json(self) -> dict[str, Any]:
        from .report import to_json

        return {
            "verdict": self.verdict,
            "reasons": self.reasons,
            "links": [
                {
                    "bundle": link.bundle_id.hex(),
                    "model_name": link.model_name,
                    "publisher_key_id": key_id(link.publisher).hex(),
                    "stage": link.stage,
                    "trusted_time": link.time.time,
                    "verdict": None if link.outcome is None else link.outcome.verdict.kind,
                    "challenge": None if link.outcome is None else to_json(link.outcome),
                }
                for link in self.links
            ],
        }


def verify_chain(
    bundles: Sequence[Bundle],
    *,
    time_source: TimeSource,
    responder: Responder | None = None,
    challenges: Sequence[Challenge] = (),
    reveals: Sequence[SignedReveal] = (),
    threshold: Fraction = DEFAULT_THRESHOLD,
) -> ChainResult:
    """Check the links root first; challenge every stage when a responder is given."""
    result = ChainResult(links=[])
    seen: set[bytes] = set()
    previous: Bundle | None = None
    previous_time: int | None = None
    for position, bundle in enumerate(bundles):
        try:
            commitment = bundle.commitment()
        except ModelprintError as exc:
            result.reasons.append(f"broken: bundle {position}: {exc}")
            return result
        bundle_id = bundle.content_id()
        if bundle_id in seen:
            result.reasons.append(f"broken: bundle {position} repeats an earlier link (a cycle)")
            return result
        seen.add(bundle_id)
        stage = 0
        try:
            stage = _check_link(position, bundle, previous)
        except ModelprintError as exc:
            result.reasons.append(f"broken: link {position}: {exc}")
            return result
        time = time_source(bundle, commitment)
        if time.time is None:
            result.reasons.append(f"link {position}: no trusted time ({'; '.join(time.problems)})")
        elif previous_time is not None and time.time < previous_time:
            result.reasons.append(
                f"broken: link {position}: trusted time goes backwards from its parent's"
            )
            return result
        if time.time is not None:
            previous_time = time.time
        result.links.append(
            ChainLink(bundle_id, commitment.model_name, commitment.publisher_key, time, stage)
        )
        previous = bundle
    if responder is not None:
        result.challenged = True
        for link, bundle, challenge, reveal in zip(
            result.links, bundles, challenges, reveals, strict=True
        ):
            link.outcome = run_challenge(
                bundle, challenge, reveal, responder, time_source=time_source, threshold=threshold
            )
            if link.outcome.verdict.kind != "match":
                result.reasons.append(
                    f"stage {link.stage} ({link.model_name}): {link.outcome.verdict.kind}"
                )
    return result


def _check_link(position: int, bundle: Bundle, previous: Bundle | None) -> int:
    """Check one link against its parent; return its stage number (0 for the root)."""
    commitment = bundle.commitment()
    if previous is None:
        if commitment.parent is not None:
            raise ChainError("the first bundle names a parent; give the chain from its root")
        return 0
    if commitment.parent != previous.content_id():
        raise ChainError("does not name the previous bundle as its parent")
    if bundle.grant is None:
        raise ChainError("carries no grant from its parent")
    if bundle.grant.digest() != commitment.grant:
        raise ChainError("carries another grant than the one its commitment names")
    grant: Grant = verify_grant(bundle.grant, previous.commitment(), previous.content_id())
    if grant.grantee_key != commitment.publisher_key:
        raise ChainError("the grant was issued to another key")
    return grant.stage
