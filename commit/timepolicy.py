"""Which time evidence a verifier trusts, and what it proves: verification policies.

A policy is a small object with ``prove(bundle) -> ProvenTime`` that raises
:class:`~modelprint.protocol.errors.TimeEvidenceError` when it is not satisfied (sigstore-style):

* :class:`PinnedLog` -- a log key the verifier pins (``LOG.pub``); satisfied by a log proof under a
  checkpoint signed by that key.
* :class:`PinnedTSA` -- a TSA root certificate the verifier pins; satisfied by an RFC 3161 token
  that chains to it.
* :class:`AnyOf` -- satisfied by any member; proves the earliest of their times.
* :class:`AllOf` -- needs every member; proves the latest of their times (the time every required
  party vouches for). An empty ``AnyOf`` or ``AllOf`` refuses everything.

:func:`policy_from_files` builds ``AnyOf(PinnedLog..., PinnedTSA...)`` from ``--trust-log`` and
``--trust-tsa`` files, and :func:`evaluate` accounts for every piece of evidence in a bundle
(trusted, unpinned, or invalid) for ``modelprint check``. The publisher's claimed time never counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography import x509

from ..files import read_bytes
from ..protocol.checkpoint import NoteVerifier, parse_checkpoint
from ..protocol.errors import (
    DecodeError,
    KeyFileError,
    LogError,
    TimeEvidenceError,
    TimestampError,
)
from ..protocol.merkle import leaf_hash, root_from_inclusion
from ..protocol.records import Bundle
from ..protocol.timeproof import (
    LogProof,
    ProvenTime,
    TimestampEvidence,
    log_entry,
    verify_log_proof,
)
from .identity import load_public_key
from .timestamp import describe_timestamp, load_root_certificates, verify_timestamp

__all__ = [
    "AllOf",
    "AnyOf",
    "EarliestTime",
    "EvidenceStatus",
    "PinnedLog",
    "PinnedTSA",
    "TimePolicy",
    "TimeReport",
    "describe_proven",
    "earliest_trusted_time",
    "evaluate",
    "load_log_key",
    "policy_from_files",
    "verify_time",
]


class TimePolicy(Protocol):
    """Something that decides whether a bundle's time evidence proves a time."""

    def prove(self, bundle: Bundle) -> ProvenTime:
        """The time the bundle provably existed by; raises :class:`TimeEvidenceError` if none."""
        ...


@dataclass(frozen=True, slots=True)
class PinnedLog:
    """A pinned transparency-log key.

    ``name`` is the signed-note key name (the log's origin) from a C2SP verifier key string; a bare
    Ed25519 key (PEM, as ``modelprint keygen`` writes) has no name and is used under the origin of
    the checkpoint being checked.
    """

    public_key: bytes
    name: str | None = None
    source: str = ""

    def verifiers_for(self, origin: str) -> list[NoteVerifier]:
        if self.name is not None and self.name != origin:
            return []
        try:
            return [NoteVerifier(origin, self.public_key)]
        except DecodeError:
            return []

    def matches(self, proof: LogProof) -> bool:
        """Whether ``proof``'s checkpoint claims to come from this key's log: its origin is this
        key's name, or (for a nameless key) it carries a signature line with this key's id."""
        try:
            checkpoint, note = parse_checkpoint(proof.checkpoint)
        except DecodeError:
            return False
        verifiers = self.verifiers_for(checkpoint.origin)
        if self.name is not None or not verifiers:
            return bool(verifiers)
        wanted = (verifiers[0].name, verifiers[0].key_id)
        return any((s.name, s.key_id) == wanted for s in note.signatures)

    def prove(self, bundle: Bundle) -> ProvenTime:
        best: ProvenTime | None = None
        failure = f"no log proof from the pinned log {self.label()}"
        for value in bundle.log_proofs:
            try:
                proof = LogProof.from_value(value)
            except DecodeError as exc:
                failure = f"malformed log proof ({exc})"
                continue
            if not self.matches(proof):
                continue
            origin = proof.unverified_checkpoint().origin
            try:
                proven = verify_log_proof(proof, bundle, self.verifiers_for(origin))
            except LogError as exc:
                failure = str(exc)
                continue
            if best is None or proven.time < best.time:
                best = proven
        if best is None:
            raise LogError(failure)
        return best

    def label(self) -> str:
        return self.name or self.source or self.public_key.hex()[:16]


@dataclass(frozen=True)
class PinnedTSA:
    """A pinned RFC 3161 TSA root certificate."""

    root: x509.Certificate
    source: str = ""

    def prove(self, bundle: Bundle) -> ProvenTime:
        best: ProvenTime | None = None
        failure = f"no timestamp from a TSA under {self.label()}"
        for value in bundle.timestamps:
            try:
                evidence = TimestampEvidence.from_value(value)
                proven = verify_timestamp(evidence, bundle, [self.root])
            except (DecodeError, TimestampError) as exc:
                failure = str(exc)
                continue
            if best is None or proven.time < best.time:
                best = proven
        if best is None:
            raise TimestampError(failure)
        return best

    def label(self) -> str:
        return self.root.subject.rfc4514_string()


@dataclass(frozen=True)
class AnyOf:
    """Satisfied by any member policy; proves the earliest time among those satisfied."""

    policies: Sequence[TimePolicy]

    def __init__(self, *policies: TimePolicy) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def prove(self, bundle: Bundle) -> ProvenTime:
        if not self.policies:
            raise TimeEvidenceError("no trusted log key or TSA root is pinned")
        proven, reasons = [], []
        for policy in self.policies:
            try:
                proven.append(policy.prove(bundle))
            except TimeEvidenceError as exc:
                reasons.append(str(exc))
        if not proven:
            raise TimeEvidenceError("no trusted time evidence: " + "; ".join(reasons))
        return min(proven, key=lambda p: p.time)


@dataclass(frozen=True)
class AllOf:
    """Needs every member policy; proves the latest of their times. Empty refuses."""

    policies: Sequence[TimePolicy]

    def __init__(self, *policies: TimePolicy) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def prove(self, bundle: Bundle) -> ProvenTime:
        if not self.policies:
            raise TimeEvidenceError("an empty AllOf policy proves nothing")
        proven = [policy.prove(bundle) for policy in self.policies]
        return max(proven, key=lambda p: p.time)


def verify_time(bundle: Bundle, policy: TimePolicy) -> ProvenTime:
    """The time ``bundle`` provably existed by under ``policy`` (after checking its signature)."""
    bundle.commitment()
    return policy.prove(bundle)


# -- loading pinned keys ---------------------------------------------------------------------------


def load_log_key(path: str | os.PathLike[str]) -> PinnedLog:
    """Read ``LOG.pub``: a C2SP verifier key string, or an Ed25519 public key in PEM."""
    data = read_bytes(path, max_size=64 * 1024)
    text = data.decode("utf-8", "replace").strip()
    if text.startswith("-----BEGIN"):
        return PinnedLog(load_public_key(path), None, str(path))
    try:
        verifier = NoteVerifier.from_vkey(text)
    except DecodeError as exc:
        raise KeyFileError(f"{path}: not a log verifier key ({exc})") from None
    return PinnedLog(verifier.public_key, verifier.name, str(path))


def policy_from_files(
    trust_log: Iterable[str | os.PathLike[str]] = (),
    trust_tsa: Iterable[str | os.PathLike[str]] = (),
) -> AnyOf:
    """``AnyOf`` every pinned log key and TSA root named by the given files."""
    policies: list[TimePolicy] = [load_log_key(p) for p in trust_log]
    for path in trust_tsa:
        policies.extend(PinnedTSA(root, str(path)) for root in load_root_certificates(str(path)))
    return AnyOf(*policies)


# -- accounting for check ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceStatus:
    """One piece of evidence and what came of it: ``trusted``, ``unpinned`` or ``invalid``."""

    kind: str  # "log" or "tsa"
    position: int  # index in bundle.log_proofs / bundle.timestamps
    status: str
    authority: str
    claimed_time: int | None
    reason: str = ""
    proven: ProvenTime | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimeReport:
    """Everything ``check`` says about a bundle's time evidence."""

    earliest: ProvenTime | None
    items: tuple[EvidenceStatus, ...]

    @property
    def invalid(self) -> list[EvidenceStatus]:
        return [i for i in self.items if i.status == "invalid"]


def _log_status(
    position: int, value: dict[str, Any], bundle: Bundle, logs: Sequence[PinnedLog]
) -> EvidenceStatus:
    try:
        proof = LogProof.from_value(value)
        checkpoint = proof.unverified_checkpoint()
        claimed = checkpoint.time
    except DecodeError as exc:
        return EvidenceStatus("log", position, "invalid", "?", None, f"malformed: {exc}")
    detail = {"index": proof.index, "tree_size": checkpoint.size, "url": proof.url}
    pinned = [k for k in logs if k.matches(proof)]
    if not pinned:
        try:  # the arithmetic holds or not, whoever signed
            root = root_from_inclusion(
                leaf_hash(log_entry(bundle)), proof.index, checkpoint.size, proof.inclusion_proof
            )
            math = "inclusion proof holds" if root == checkpoint.root else "inclusion proof fails"
        except Exception:
            math = "inclusion proof fails"
        return EvidenceStatus(
            "log", position, "unpinned", checkpoint.origin, claimed,
            f"log key not pinned ({math})", detail=detail,
        )  # fmt: skip
    reason = ""
    for key in pinned:
        try:
            proven = verify_log_proof(proof, bundle, key.verifiers_for(checkpoint.origin))
        except LogError as exc:
            reason = str(exc)
            continue
        return EvidenceStatus(
            "log", position, "trusted", checkpoint.origin, claimed, proven=proven,
            detail={**detail, **proven.detail},
        )  # fmt: skip
    return EvidenceStatus(
        "log", position, "invalid", checkpoint.origin, claimed, reason, None, detail
    )


def _tsa_status(
    position: int, value: dict[str, Any], bundle: Bundle, roots: Sequence[PinnedTSA]
) -> EvidenceStatus:
    try:
        evidence = TimestampEvidence.from_value(value)
        info = describe_timestamp(evidence)
    except (DecodeError, TimestampError) as exc:
        return EvidenceStatus("tsa", position, "invalid", "?", None, f"malformed: {exc}")
    authority = str(info["authority"])
    claimed = int(datetime.fromisoformat(str(info["gen_time"])).timestamp())
    detail = {"url": evidence.url}
    if not roots:
        return EvidenceStatus("tsa", position, "unpinned", authority, claimed, "TSA not pinned")
    try:
        proven = verify_timestamp(evidence, bundle, [r.root for r in roots])
    except TimestampError as exc:
        chained = "no pinned TSA root" in str(exc)
        status = "unpinned" if chained else "invalid"
        return EvidenceStatus("tsa", position, status, authority, claimed, str(exc), None, detail)
    return EvidenceStatus(
        "tsa", position, "trusted", authority, claimed, proven=proven,
        detail={**detail, **proven.detail},
    )  # fmt: skip


def evaluate(
    bundle: Bundle, logs: Sequence[PinnedLog] = (), tsa_roots: Sequence[PinnedTSA] = ()
) -> TimeReport:
    """Account for every piece of time evidence in ``bundle`` under the pinned keys and roots."""
    bundle.commitment()
    items = [_log_status(i, v, bundle, logs) for i, v in enumerate(bundle.log_proofs)]
    items += [_tsa_status(i, v, bundle, tsa_roots) for i, v in enumerate(bundle.timestamps)]
    proven = [i.proven for i in items if i.proven is not None]
    earliest = min(proven, key=lambda p: p.time) if proven else None
    return TimeReport(earliest, tuple(items))


@dataclass(frozen=True)
class EarliestTime:
    """The earliest trusted time (``None``: none), the evidence behind it, and what failed."""

    time: int | None
    evidence: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    report: TimeReport | None = None


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_proven(p: ProvenTime) -> str:
    """One line saying what a piece of trusted evidence proves."""
    if p.kind == "log":
        where = f"entry {p.detail.get('index')} of {p.detail.get('tree_size')}"
        return f"log {p.authority} ({where}) signed at {_iso(p.time)}"
    return f"RFC 3161 token by {p.authority} at {_iso(p.time)} (root {p.trusted_key})"


def earliest_trusted_time(
    bundle: Bundle,
    *,
    trust_logs: Iterable[str | os.PathLike[str]] = (),
    trust_tsas: Iterable[str | os.PathLike[str]] = (),
) -> EarliestTime:
    """The earliest time pinned evidence proves ``bundle`` existed by (the verifier's entry point).

    Key files that cannot be read raise; evidence that does not hold is listed in ``problems``.
    """
    policy = policy_from_files(trust_logs, trust_tsas)
    logs = [p for p in policy.policies if isinstance(p, PinnedLog)]
    roots = [p for p in policy.policies if isinstance(p, PinnedTSA)]
    report = evaluate(bundle, logs, roots)
    problems = tuple(
        f"{i.kind} evidence #{i.position} from {i.authority}: {i.status}: {i.reason}"
        for i in report.items
        if i.status != "trusted"
    )
    if report.earliest is None:
        return EarliestTime(None, (), problems or ("no time evidence",), report)
    evidence = tuple(describe_proven(i.proven) for i in report.items if i.proven is not None)
    return EarliestTime(report.earliest.time, evidence, problems, report)
