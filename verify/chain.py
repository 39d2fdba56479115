"""Verifying a license chain B0 <- B1 <- ... root first, and optionally challenging a suspect.

Each link must hold: B0 has no parent; every later commitment names the previous bundle's content
id as parent and carries the grant that the previous publisher signed to this publisher's key (the
grant's digest is the one the commitment names, its stage is the parent's plus one, its terms
digest is the one the commitment names); no bundle appears twice (no cycles); every link has a
trusted time under the verifier's policy, and trusted times never go backwards along the chain.
Grants' limits hold (the child's trusted time inside its grant's window, no stage deeper than an
ancestor grant's ``max_depth`` allows), terms files given match their grants' digests, no grant is
revoked before its child's trusted time, and an aggregate BLS signature, when given, verifies
every link at once (:mod:`.chain_checks`). With a responder, every stage is challenged with its own challenge and reveal, and the chain
matches only if every stage matches.

The result is typed: :attr:`ChainResult.verdict` is one of the verdict kinds of
:mod:`modelprint.protocol.verdicts`, derived from the :class:`Finding` records (data, with a code
and the link they concern), never from the wording of a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..protocol.bls import ChainAggregate
from ..protocol.challenge import Challenge, SignedReveal
from ..protocol.envelope import key_id
from ..protocol.errors import ChainError, ConfigError, ModelprintError
from ..protocol.records import Bundle, Commitment, Grant, verify_grant
from ..protocol.revocation import SignedRevocation
from ..protocol.scoring import DEFAULT_THRESHOLD
from ..protocol.trust import TimeReport, TrustPolicy, assess
from ..protocol.verdicts import VerdictKind, is_positive
from .chain_checks import (
    Finding,
    FindingCode,
    GrantedLink,
    aggregate_findings,
    depth_finding,
    revocation_findings,
    terms_finding,
    window_finding,
)
from .responders import Responder
from .session import Outcome, run_challenge

__all__ = ["ChainLink", "ChainResult", "Finding", "FindingCode", "verify_chain"]


@dataclass
class ChainLink:
    bundle_id: bytes
    model_name: str
    publisher: bytes
    time: TimeReport
    stage: int
    outcome: Outcome | None = None


@dataclass
class ChainResult:
    links: list[ChainLink]
    findings: list[Finding] = field(default_factory=list)
    challenged: bool = False
    granted: list[GrantedLink] = field(default_factory=list, repr=False)

    @property
    def reasons(self) -> list[str]:
        """The findings as sentences, for people."""
        return [f.text for f in self.findings]

    @property
    def ok(self) -> bool:
        return is_positive(self.verdict)

    @property
    def verdict(self) -> VerdictKind:
        if any(f.fatal for f in self.findings):
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
            "findings": [
                {"code": f.code, "link": f.link, "fatal": f.fatal, "text": f.text}
                for f in self.findings
            ],
            "links": [
                {
                    "bundle": link.bundle_id.hex(),
                    "model_name": link.model_name,
                    "publisher_key_id": key_id(link.publisher).hex(),
                    "stage": link.stage,
                    "trusted_time": link.time.time,
                    "time_evidence": list(link.time.evidence),
                    "time_problems": list(link.time.problems),
                    "verdict": None if link.outcome is None else link.outcome.verdict.kind,
                    "challenge": None if link.outcome is None else to_json(link.outcome),
                }
                for link in self.links
            ],
        }


def verify_chain(
    bundles: Sequence[Bundle],
    *,
    policy: TrustPolicy,
    responder: Responder | None = None,
    challenges: Sequence[Challenge] = (),
    reveals: Sequence[SignedReveal] = (),
    threshold: Fraction = DEFAULT_THRESHOLD,
    require_time: bool = True,
    system_prompts: Sequence[str] = (),
    samples: int = 1,
    terms: Mapping[int, bytes] | None = None,
    revocations: Mapping[str, SignedRevocation] | None = None,
    aggregate: ChainAggregate | None = None,
) -> ChainResult:
    """Check the links root first; challenge every stage when a responder is given.

    ``require_time=False`` (``chain verify --allow-untimed``) lets a link without a trusted time
    pass (the finding is still reported); the time order is then checked only between links that
    have one. ``terms`` maps a link's position (1 for the root's child) to the license terms its
    grant must name; ``revocations`` maps a label (a file name) to a signed revocation, which is
    checked under the same ``policy``; ``aggregate`` is the chain's aggregate BLS signature.
    """
    if responder is not None and not len(challenges) == len(reveals) == len(bundles):
        raise ConfigError("with a suspect, give one challenge and one reveal per bundle")
    terms = dict(terms or {})
    outside = sorted(p for p in terms if not 0 < p < len(bundles))
    if outside:
        raise ConfigError(
            f"terms for link {outside[0]}: the chain's links with a grant are 1..{len(bundles) - 1}"
        )
    result = ChainResult(links=[])
    if not _walk(bundles, policy, require_time, terms, result):
        return result
    result.findings += revocation_findings(result.granted, dict(revocations or {}), policy)
    if aggregate is not None:
        result.findings += aggregate_findings(bundles, aggregate)
    if responder is not None and not any(f.fatal for f in result.findings):
        result.challenged = True
        for position, (link, bundle, challenge, reveal) in enumerate(
            zip(result.links, bundles, challenges, reveals, strict=True)
        ):
            link.outcome = run_challenge(
                bundle, challenge, reveal, responder, policy=policy, threshold=threshold,
                system_prompts=system_prompts, samples=samples,
            )  # fmt: skip
            if link.outcome.verdict.kind != "match":
                result.findings.append(
                    Finding(
                        "stage",
                        position,
                        f"stage {link.stage} ({link.model_name}): {link.outcome.verdict.kind}",
                        fatal=False,
                    )
                )
    return result


def _walk(
    bundles: Sequence[Bundle],
    policy: TrustPolicy,
    require_time: bool,
    terms: Mapping[int, bytes],
    result: ChainResult,
) -> bool:
    """Check every link root first into ``result``; False at the first fatal finding."""
    seen: set[bytes] = set()
    previous: tuple[Bundle, Commitment] | None = None
    previous_stage = 0
    previous_time: int | None = None
    for position, bundle in enumerate(bundles):
        try:
            commitment = bundle.commitment()
        except ModelprintError as exc:
            result.findings.append(Finding("unreadable", position, f"bundle {position}: {exc}"))
            return False
        bundle_id = bundle.content_id()
        if bundle_id in seen:
            result.findings.append(
                Finding("cycle", position, f"bundle {position} repeats an earlier link (a cycle)")
            )
            return False
        seen.add(bundle_id)
        try:
            grant = _check_link(bundle, commitment, previous, previous_stage)
        except ModelprintError as exc:
            result.findings.append(Finding("link", position, f"link {position}: {exc}"))
            return False
        stage = 0 if grant is None else grant.stage
        time = assess(bundle, policy)
        if time.time is None:
            result.findings.append(
                Finding(
                    "untimed",
                    position,
                    f"link {position} ({commitment.model_name}): no trusted time "
                    f"({'; '.join(time.problems)})",
                    fatal=require_time,
                )
            )
            if require_time:
                return False
        elif previous_time is not None and time.time < previous_time:
            result.findings.append(
                Finding(
                    "time-order",
                    position,
                    f"link {position}: trusted time goes backwards from its parent's",
                )
            )
            return False
        if time.time is not None:
            previous_time = time.time
        if grant is not None:
            granted = GrantedLink(position, grant, time.time)
            checks = (
                window_finding(granted, require_time=require_time),
                depth_finding(granted, result.granted),
                terms_finding(granted, terms),
            )
            found = [f for f in checks if f is not None]
            result.findings += found
            if any(f.fatal for f in found):
                return False
            result.granted.append(granted)
        result.links.append(
            ChainLink(bundle_id, commitment.model_name, commitment.publisher_key, time, stage)
        )
        previous, previous_stage = (bundle, commitment), stage
    return True


def _check_link(
    bundle: Bundle,
    commitment: Commitment,
    previous: tuple[Bundle, Commitment] | None,
    previous_stage: int,
) -> Grant | None:
    """Check one link (its commitment already verified) against its parent and the parent's
    verified commitment; return its grant (None for the root)."""
    if previous is None:
        if commitment.parent is not None:
            raise ChainError("the first bundle names a parent; give the chain from its root")
        return None
    parent, parent_commitment = previous
    if commitment.parent != parent.content_id():
        raise ChainError("does not name the previous bundle as its parent")
    if bundle.grant is None:
        raise ChainError("carries no grant from its parent")
    if bundle.grant.digest() != commitment.grant:
        raise ChainError("carries another grant than the one its commitment names")
    grant: Grant = verify_grant(bundle.grant, parent_commitment, parent.content_id())
    if grant.grantee_key != commitment.publisher_key:
        raise ChainError("the grant was issued to another key")
    if grant.stage != previous_stage + 1:
        raise ChainError(
            f"the grant is for stage {grant.stage}, but its parent is stage {previous_stage}"
        )
    if grant.terms_digest != commitment.terms_digest:
        raise ChainError("the commitment names other license terms than its grant")
    return grant
