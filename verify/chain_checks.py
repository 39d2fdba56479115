"""The checks of a chain beyond its links' signatures: grant limits, terms, revocations, aggregate.

Each check returns :class:`Finding` records (typed data: a code, the link it concerns, whether it
breaks the chain) rather than raising, so :func:`modelprint.verify.chain.verify_chain` can say
which link failed and why. The normative rules are specs/protocol.md section 7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..protocol.bls import BlsKey, ChainAggregate, registered_key
from ..protocol.errors import ModelprintError
from ..protocol.records import Bundle, Grant, terms_digest
from ..protocol.revocation import Revocation, SignedRevocation
from ..protocol.times import iso
from ..protocol.trust import TrustPolicy, assess

__all__ = [
    "Finding",
    "FindingCode",
    "GrantedLink",
    "aggregate_findings",
    "depth_finding",
    "revocation_findings",
    "terms_finding",
    "window_finding",
]

FindingCode = Literal[
    "unreadable",  # a bundle whose commitment or signature does not hold
    "cycle",  # a bundle that appears twice
    "link",  # parent, grant, stage or terms that do not hold
    "untimed",  # no trusted time under the policy
    "time-order",  # a trusted time earlier than the parent's
    "window",  # a child's trusted time outside its grant's validity window
    "depth",  # a stage deeper than an ancestor grant's max_depth allows
    "terms",  # a grant's terms digest that differs from the terms file given
    "revoked",  # a grant revoked (by its grantor, with trusted time) before the child's time
    "revocation",  # a revocation that does not count (other signer, no trusted time, later)
    "aggregate",  # a chain aggregate BLS signature, or a link's BLS key, that does not hold
    "stage",  # a stage's challenge that did not match
]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing chain verification found: ``code``, the link it concerns (None: the chain as a
    whole, or none of its links), and whether it breaks the chain (``fatal``: the verdict is
    "rejected") or only reports (a stage that did not match, a revocation that does not count)."""

    code: FindingCode
    link: int | None
    text: str
    fatal: bool = True


@dataclass(frozen=True, slots=True)
class GrantedLink:
    """A link below the root whose grant held: its position, grant and the child's trusted time."""

    position: int
    grant: Grant
    time: int | None


def window_finding(link: GrantedLink, *, require_time: bool) -> Finding | None:
    """The child's trusted time must lie in its grant's ``not_before..not_after``."""
    grant, position = link.grant, link.position
    if grant.not_before is None and grant.not_after is None:
        return None
    if link.time is None:
        return Finding(
            "window", position,
            f"link {position}: its grant's validity window cannot be checked without a trusted "
            "time", fatal=require_time,
        )  # fmt: skip
    if grant.not_before is not None and link.time < grant.not_before:
        return Finding(
            "window", position,
            f"link {position}: committed at {iso(link.time)}, before its grant is valid "
            f"(not before {iso(grant.not_before)})",
        )  # fmt: skip
    if grant.not_after is not None and link.time > grant.not_after:
        return Finding(
            "window", position,
            f"link {position}: committed at {iso(link.time)}, after its grant expired "
            f"(not after {iso(grant.not_after)})",
        )  # fmt: skip
    return None


def depth_finding(link: GrantedLink, ancestors: Sequence[GrantedLink]) -> Finding | None:
    """No link may lie deeper than ``stage + max_depth`` of any grant above it."""
    for above in ancestors:
        limit = above.grant.max_depth
        if limit is not None and link.grant.stage > above.grant.stage + limit:
            return Finding(
                "depth", link.position,
                f"link {link.position}: stage {link.grant.stage} lies beyond the limit of link "
                f"{above.position}'s grant (at most {limit} further stage(s) below stage "
                f"{above.grant.stage})",
            )  # fmt: skip
    return None


def terms_finding(link: GrantedLink, terms: Mapping[int, bytes]) -> Finding | None:
    """The grant's terms digest must be the digest of the terms file given for its link."""
    text = terms.get(link.position)
    if text is None or terms_digest(text) == link.grant.terms_digest:
        return None
    return Finding(
        "terms", link.position,
        f"link {link.position}: its grant's terms digest is not the digest of the terms given",
    )  # fmt: skip


def revocation_findings(
    links: Sequence[GrantedLink],
    revocations: Mapping[str, SignedRevocation],
    policy: TrustPolicy,
) -> list[Finding]:
    """Which links the given revocations revoke, and which revocations do not count.

    A revocation counts only when it is signed by the grant's own grantor and has a trusted time
    under ``policy``; it is fatal when that time is earlier than the child's trusted time (or the
    child has none), and reported otherwise.
    """
    by_grant = {link.grant.content_id(): link for link in links}
    findings: list[Finding] = []
    for label, signed in revocations.items():
        try:
            revocation = signed.revocation()
        except ModelprintError as exc:
            findings.append(Finding("revocation", None, f"revocation {label}: {exc}", False))
            continue
        link = by_grant.get(revocation.grant)
        if link is None:
            findings.append(
                Finding(
                    "revocation", None, f"revocation {label}: names no grant of this chain", False
                )
            )
            continue
        findings.append(_judge(label, signed, revocation, link, policy))
    return findings


def _judge(
    label: str,
    signed: SignedRevocation,
    revocation: Revocation,
    link: GrantedLink,
    policy: TrustPolicy,
) -> Finding:
    position, why = link.position, f"({revocation.reason!r})"
    if revocation.revoker_key != link.grant.grantor_key:
        return Finding(
            "revocation", position,
            f"link {position}: revocation {label} is not signed by the grant's grantor; not "
            "counted as evidence", fatal=False,
        )  # fmt: skip
    report = assess(signed, policy)
    if report.time is None:
        return Finding(
            "revocation", position,
            f"link {position}: revocation {label} has no trusted time "
            f"({'; '.join(report.problems)}); not counted", fatal=False,
        )  # fmt: skip
    if link.time is None:
        return Finding(
            "revoked", position,
            f"link {position}: its grant was revoked by {label} at {iso(report.time)} {why}, and "
            "the link has no trusted time to show it came first",
        )  # fmt: skip
    if report.time < link.time:
        return Finding(
            "revoked", position,
            f"link {position}: its grant was revoked by {label} at {iso(report.time)} {why}, "
            f"before the child's trusted time {iso(link.time)}",
        )  # fmt: skip
    return Finding(
        "revocation", position,
        f"link {position}: its grant was revoked by {label} at {iso(report.time)} {why}, after "
        f"the child's trusted time {iso(link.time)}; the link stands", fatal=False,
    )  # fmt: skip


def aggregate_findings(bundles: Sequence[Bundle], aggregate: ChainAggregate) -> list[Finding]:
    """Check the chain's aggregate BLS signature: it covers exactly these links, every link's
    commitment registers a BLS key whose proof of possession holds, and the aggregate verifies."""
    if aggregate.links != tuple(b.content_id() for b in bundles):
        return [Finding("aggregate", None, "the aggregate covers other links than this chain")]
    keys: list[BlsKey] = []
    for position, bundle in enumerate(bundles):
        try:
            key = registered_key(bundle.commitment().attachments)
            key.check()
        except ModelprintError as exc:
            return [Finding("aggregate", position, f"link {position}: {exc}")]
        keys.append(key)
    try:
        aggregate.verify_signature(keys)
    except ModelprintError as exc:
        return [Finding("aggregate", None, str(exc))]
    return []
