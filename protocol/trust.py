"""The one trust policy: which time evidence a verifier trusts, and what it proves.

Every verb and API function that needs a commitment's trusted time (``check``, ``verify``,
``chain verify``, ``whitebox check``, the recipes) takes a :class:`TrustPolicy`, built once from the
verifier's pins (:func:`modelprint.runtime.keyfiles.load_trust_policy` reads ``--trust-log``,
``--trust-tsa`` and ``--trust-witness`` files). A policy is a small object with ``prove(bundle) -> ProvenTime`` that raises
:class:`~modelprint.protocol.errors.TimeEvidenceError` when it is not satisfied (sigstore-style):

    TrustPolicy
    ├── PinnedLog          a transparency-log key the verifier pins (``LOG.pub``)
    ├── PinnedTSA          an RFC 3161 TSA root certificate the verifier pins
    ├── WitnessQuorum      k of n pinned witnesses (``W.pub``) cosigned a checkpoint covering it
    ├── AnyOf(*policies)   satisfied by any member; proves the earliest of their times
    ├── AllOf(*policies)   needs every member; proves the latest of their times
    └── UnsafeClaimedTime  takes the publisher's own claimed time: demos and tests ONLY

An empty ``AnyOf`` or ``AllOf`` refuses everything. The publisher's claimed time never counts,
except under the policy whose name says it is unsafe.

:func:`assess` accounts for every piece of evidence in a bundle under a policy (trusted, unpinned or
invalid) and returns a :class:`TimeReport`; its :attr:`TimeReport.passed` is the rule ``check``
applies, and :attr:`TimeReport.time` the trusted time every verdict uses: a time is trusted only
when the policy proves it AND no piece of evidence in the bundle is invalid under the pins. So
``check``, ``verify`` and ``chain verify`` never disagree about the same bundle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from cryptography import x509

from .checkpoint import NoteVerifier, SignedNote, parse_checkpoint
from .cosignature import WitnessVerifier
from .errors import (
    ConfigError,
    DecodeError,
    LogError,
    TimeEvidenceError,
    TimestampError,
)
from .records import Evidenced
from .timeproof import (
    LogProof,
    ProvenTime,
    TimestampEvidence,
    log_time,
    verify_inclusion_in,
    verify_log_inclusion,
    verify_log_proof,
)
from .times import iso, to_unix
from .tsa import describe_timestamp, verify_timestamp

__all__ = [
    "AllOf",
    "AnyOf",
    "EvidenceStatus",
    "PinnedLog",
    "PinnedTSA",
    "PinnedWitness",
    "TimeReport",
    "TrustPolicy",
    "UnsafeClaimedTime",
    "WitnessQuorum",
    "assess",
    "describe_proven",
    "pins",
    "verify_time",
]

EvidenceState = Literal["trusted", "unpinned", "invalid"]


@runtime_checkable
class TrustPolicy(Protocol):
    """Something that decides whether a bundle's time evidence proves a time."""

    def prove(self, bundle: Evidenced) -> ProvenTime:
        """The time the bundle provably existed by; raises :class:`TimeEvidenceError` if none."""
        ...

    def describe(self) -> str:
        """One line naming what is trusted (for reports; never a secret)."""
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

    def prove(self, bundle: Evidenced) -> ProvenTime:
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

    def describe(self) -> str:
        return f"log key {self.label()}"


@dataclass(frozen=True)
class PinnedTSA:
    """A pinned RFC 3161 TSA root certificate."""

    root: x509.Certificate
    source: str = ""

    def prove(self, bundle: Evidenced) -> ProvenTime:
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

    def describe(self) -> str:
        return f"TSA root {self.label()}"


@dataclass(frozen=True, slots=True)
class PinnedWitness:
    """A pinned witness cosigning key (``W.pub``, a C2SP verifier key of type 0x04)."""

    verifier: WitnessVerifier
    source: str = ""

    def label(self) -> str:
        return self.verifier.name

    def describe(self) -> str:
        return f"witness {self.label()}"


def _cosignatures(
    note: SignedNote, witnesses: Sequence[PinnedWitness]
) -> Iterator[tuple[PinnedWitness, int | LogError]]:
    """Each cosignature line of ``note`` by a pinned witness: its timestamp, or why it fails."""
    for signature in note.signatures:
        for witness in witnesses:
            if witness.verifier.signed(signature):
                try:
                    yield witness, witness.verifier.verify(note.text, signature)
                except LogError as exc:
                    yield witness, exc


@dataclass(frozen=True)
class WitnessQuorum:
    """Time from witnesses (C2SP tlog-cosignature, a tlog-policy-style quorum): satisfied by a log
    proof whose inclusion proof holds and whose checkpoint carries valid cosignatures of at least
    ``quorum`` distinct pinned witnesses.

    A witness cosigning at T says it saw that checkpoint, whose root covers the bundle's entry, by
    T. The proven time is the ``quorum``-th earliest of the witnesses' timestamps: the first moment
    by which ``quorum`` witnesses attest. The log's own signature is checked by each witness, not
    here (pin the log too, with :class:`AllOf`, to require it of the verifier as well).
    """

    witnesses: tuple[PinnedWitness, ...]
    quorum: int

    def __init__(self, witnesses: Sequence[PinnedWitness], quorum: int | None = None) -> None:
        witnesses = tuple(witnesses)
        if not witnesses:
            raise ConfigError("a witness quorum needs at least one pinned witness")
        keys = {w.verifier.public_key for w in witnesses}
        if len(keys) != len(witnesses):
            raise ConfigError("the same witness key is pinned twice; a quorum counts each once")
        quorum = len(witnesses) if quorum is None else quorum
        if not 1 <= quorum <= len(witnesses):
            raise ConfigError(
                f"--witness-quorum {quorum}: must be 1 to the {len(witnesses)} pinned witnesses"
            )
        object.__setattr__(self, "witnesses", witnesses)
        object.__setattr__(self, "quorum", quorum)

    def prove(self, bundle: Evidenced) -> ProvenTime:
        best: ProvenTime | None = None
        failure = f"no log proof is cosigned by {self.quorum} of the pinned witnesses"
        for value in bundle.log_proofs:
            try:
                proof = LogProof.from_value(value)
                checkpoint, note = parse_checkpoint(proof.checkpoint)
            except DecodeError:
                continue
            times: dict[str, int] = {}
            for witness, outcome in _cosignatures(note, self.witnesses):
                if isinstance(outcome, int):
                    times[witness.label()] = min(outcome, times.get(witness.label(), outcome))
            if len(times) < self.quorum:
                failure = (
                    f"{len(times)} of the pinned witnesses cosigned the checkpoint of "
                    f"{checkpoint.origin} ({self.quorum} needed)"
                )
                continue
            try:
                verify_inclusion_in(proof, bundle, checkpoint)
            except LogError as exc:
                failure = str(exc)
                continue
            proven = ProvenTime(
                time=sorted(times.values())[self.quorum - 1],
                kind="witness",
                authority=f"{self.quorum} of {len(self.witnesses)} witnesses",
                trusted_key=", ".join(
                    w.verifier.vkey() for w in self.witnesses if w.label() in times
                ),
                detail={
                    "index": proof.index,
                    "tree_size": checkpoint.size,
                    "log": checkpoint.origin,
                    "quorum": self.quorum,
                    "cosigned": dict(sorted(times.items())),
                },
            )
            if best is None or proven.time < best.time:
                best = proven
        if best is None:
            raise LogError(failure)
        return best

    def describe(self) -> str:
        names = ", ".join(w.label() for w in self.witnesses)
        return f"{self.quorum} of witnesses {names}"


@dataclass(frozen=True)
class AnyOf:
    """Satisfied by any member policy; proves the earliest time among those satisfied."""

    policies: Sequence[TrustPolicy]

    def __init__(self, *policies: TrustPolicy) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def prove(self, bundle: Evidenced) -> ProvenTime:
        if not self.policies:
            raise TimeEvidenceError("no trusted log key, TSA root or witness is pinned")
        proven, reasons = [], []
        for policy in self.policies:
            try:
                proven.append(policy.prove(bundle))
            except TimeEvidenceError as exc:
                reasons.append(str(exc))
        if not proven:
            raise TimeEvidenceError("no trusted time evidence: " + "; ".join(reasons))
        return min(proven, key=lambda p: p.time)

    def describe(self) -> str:
        if not self.policies:
            return "nothing pinned"
        return "any of: " + ", ".join(p.describe() for p in self.policies)


@dataclass(frozen=True)
class AllOf:
    """Needs every member policy; proves the latest of their times. Empty refuses."""

    policies: Sequence[TrustPolicy]

    def __init__(self, *policies: TrustPolicy) -> None:
        object.__setattr__(self, "policies", tuple(policies))

    def prove(self, bundle: Evidenced) -> ProvenTime:
        if not self.policies:
            raise TimeEvidenceError("an empty AllOf policy proves nothing")
        proven = [policy.prove(bundle) for policy in self.policies]
        return max(proven, key=lambda p: p.time)

    def describe(self) -> str:
        return "all of: " + ", ".join(p.describe() for p in self.policies)


@dataclass(frozen=True)
class UnsafeClaimedTime:
    """Takes the publisher's own claimed time as if it were evidence. For demos and tests ONLY.

    Anyone can write any claimed time into a commitment, so under this policy an overclaim (a
    commitment made after the suspect appeared, backdated) passes. Reports say so in capitals.
    """

    def prove(self, bundle: Evidenced) -> ProvenTime:
        _, claimed_time = bundle.signed_by()
        return ProvenTime(
            time=claimed_time,
            kind="claimed",
            authority="the publisher's own claim",
            trusted_key="UNSAFE",
            detail={},
        )

    def describe(self) -> str:
        return "UNSAFE: the publisher's own claimed time"


def pins(policy: TrustPolicy) -> Iterator[PinnedLog | PinnedTSA | PinnedWitness]:
    """Every pinned log key, TSA root and witness inside ``policy`` (depth first)."""
    if isinstance(policy, PinnedLog | PinnedTSA):
        yield policy
    if isinstance(policy, WitnessQuorum):
        yield from policy.witnesses
    for member in getattr(policy, "policies", ()):
        yield from pins(member)


def verify_time(bundle: Evidenced, policy: TrustPolicy) -> ProvenTime:
    """The time ``bundle`` provably existed by under ``policy`` (after checking its signature)."""
    bundle.signed_by()
    return policy.prove(bundle)


# -- accounting for every piece of evidence ------------------------------------------------------


@dataclass(frozen=True)
class EvidenceStatus:
    """One piece of evidence and what came of it under the pins."""

    kind: Literal["log", "tsa", "witness"]
    position: int  # index in bundle.log_proofs (log, witness) / bundle.timestamps (tsa)
    status: EvidenceState
    authority: str
    claimed_time: int | None
    reason: str = ""
    proven: ProvenTime | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        what = {"log": "log", "tsa": "RFC 3161 token", "witness": "cosignature on log"}[self.kind]
        head = f"{what} evidence #{self.position} from {self.authority}"
        if self.status == "trusted" and self.proven is not None:
            return f"{head}: proves {iso(self.proven.time)}"
        if self.status == "trusted" and self.claimed_time is not None and self.kind == "witness":
            return f"{head}: cosigned at {iso(self.claimed_time)}"
        return f"{head}: {self.status}: {self.reason}"


@dataclass(frozen=True)
class TimeReport:
    """Everything the pins say about a bundle's time: the one rule every verdict follows.

    ``proven`` is what the policy proves (None: nothing); ``items`` accounts for each piece of
    evidence; ``pinned`` says whether any log key or TSA root was pinned at all; ``unsafe`` marks
    the publisher's own claim taken as time (:class:`UnsafeClaimedTime`).
    """

    proven: ProvenTime | None
    items: tuple[EvidenceStatus, ...]
    pinned: bool
    unsafe: bool = False
    failure: str = ""
    policy: str = ""

    @property
    def invalid(self) -> list[EvidenceStatus]:
        return [i for i in self.items if i.status == "invalid"]

    @property
    def passed(self) -> bool:
        """``check``'s rule: no evidence is invalid under the pins and, when anything is trusted
        (pins, or the unsafe claim), the policy proves a time."""
        if self.invalid:
            return False
        return self.proven is not None or not (self.pinned or self.unsafe)

    @property
    def time(self) -> int | None:
        """The trusted commitment time for a verdict: proven, and nothing invalid beside it."""
        if self.proven is None or self.invalid:
            return None
        return self.proven.time

    @property
    def evidence(self) -> tuple[str, ...]:
        """One line for each piece of evidence that the time rests on."""
        if self.unsafe and self.proven is not None:
            return ("UNSAFE: the publisher's own claimed time was taken as trusted",)
        lines = [describe_proven(i.proven) for i in self.items if i.proven is not None]
        if self.proven is not None and self.proven.kind == "witness":
            lines.append(describe_proven(self.proven))
        return tuple(lines)

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the time is not trusted, or what evidence did not hold (empty when all is well)."""
        out = [i.describe() for i in self.items if i.status == "invalid"]
        if self.time is None:
            if not self.items and not self.unsafe:
                out.append("the bundle carries no time evidence")
            elif not self.pinned and not self.unsafe:
                out.append(
                    "no log key (--trust-log), TSA root (--trust-tsa) or witness "
                    "(--trust-witness) is pinned"
                )
            elif self.proven is None:
                out.append(f"no pinned evidence proves a time ({self.failure})")
            if self.invalid and self.proven is not None:
                out.append("evidence that does not hold under the pins voids the trusted time")
        return tuple(out)


def _log_status(
    position: int, value: dict[str, Any], bundle: Evidenced, logs: Sequence[PinnedLog]
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
            verify_inclusion_in(proof, bundle, checkpoint)
            math = "inclusion proof holds"
        except LogError:
            math = "inclusion proof fails"
        return EvidenceStatus(
            "log", position, "unpinned", checkpoint.origin, claimed,
            f"log key not pinned ({math})", detail=detail,
        )  # fmt: skip
    reason = ""
    for key in pinned:
        try:
            opened, verifier, found = verify_log_inclusion(
                proof, bundle, key.verifiers_for(checkpoint.origin)
            )
        except LogError as exc:
            reason = str(exc)
            continue
        proven = log_time(opened, verifier, found)
        untimed = "" if proven else "inclusion holds; the checkpoint has no time line"
        return EvidenceStatus(
            "log", position, "trusted", checkpoint.origin, claimed, untimed, proven,
            detail={**detail, **found},
        )  # fmt: skip
    return EvidenceStatus(
        "log", position, "invalid", checkpoint.origin, claimed, reason, None, detail
    )


def _witness_statuses(
    position: int, value: dict[str, Any], witnesses: Sequence[PinnedWitness]
) -> list[EvidenceStatus]:
    """One status for each cosignature by a pinned witness on the log proof at ``position``
    (lines by witnesses not pinned are not evidence and are not listed)."""
    try:
        note = parse_checkpoint(LogProof.from_value(value).checkpoint)[1]
    except DecodeError:
        return []  # reported as the log proof's own failure
    out = []
    for witness, outcome in _cosignatures(note, witnesses):
        if isinstance(outcome, int):
            item = EvidenceStatus("witness", position, "trusted", witness.label(), outcome)
        else:
            item = EvidenceStatus(
                "witness", position, "invalid", witness.label(), None, str(outcome)
            )
        out.append(item)
    return out


def _tsa_status(
    position: int, value: dict[str, Any], bundle: Evidenced, roots: Sequence[PinnedTSA]
) -> EvidenceStatus:
    try:
        evidence = TimestampEvidence.from_value(value)
        info = describe_timestamp(evidence)
        claimed = to_unix(str(info["gen_time"]), what="genTime")
    except (DecodeError, TimestampError, ConfigError) as exc:
        return EvidenceStatus("tsa", position, "invalid", "?", None, f"malformed: {exc}")
    authority = str(info["authority"])
    detail = {"url": evidence.url}
    if not roots:
        return EvidenceStatus("tsa", position, "unpinned", authority, claimed, "TSA not pinned")
    try:
        proven = verify_timestamp(evidence, bundle, [r.root for r in roots])
    except TimestampError as exc:
        chained = "no pinned TSA root" in str(exc)
        status: EvidenceState = "unpinned" if chained else "invalid"
        return EvidenceStatus("tsa", position, status, authority, claimed, str(exc), None, detail)
    return EvidenceStatus(
        "tsa", position, "trusted", authority, claimed, proven=proven,
        detail={**detail, **proven.detail},
    )  # fmt: skip


def assess(bundle: Evidenced, policy: TrustPolicy) -> TimeReport:
    """Account for every piece of time evidence in ``bundle`` under ``policy``.

    Checks the record's signature first (a bad one raises); evidence that does not hold never
    raises: it is reported, and it voids the trusted time. ``bundle`` is a bundle or any other
    :class:`~modelprint.protocol.records.Evidenced` record (a signed revocation).
    """
    bundle.signed_by()
    pinned = list(pins(policy))
    logs = [p for p in pinned if isinstance(p, PinnedLog)]
    roots = [p for p in pinned if isinstance(p, PinnedTSA)]
    witnesses = [p for p in pinned if isinstance(p, PinnedWitness)]
    items = [_log_status(i, v, bundle, logs) for i, v in enumerate(bundle.log_proofs)]
    for i, v in enumerate(bundle.log_proofs):
        items += _witness_statuses(i, v, witnesses)
    items += [_tsa_status(i, v, bundle, roots) for i, v in enumerate(bundle.timestamps)]
    unsafe = isinstance(policy, UnsafeClaimedTime)
    proven: ProvenTime | None = None
    failure = ""
    try:
        proven = policy.prove(bundle)
    except TimeEvidenceError as exc:
        failure = str(exc)
    return TimeReport(
        proven=proven,
        items=tuple(items),
        pinned=bool(pinned),
        unsafe=unsafe,
        failure=failure,
        policy=policy.describe(),
    )


def describe_proven(p: ProvenTime) -> str:
    """One line saying what a piece of trusted evidence proves."""
    if p.kind == "log":
        where = f"entry {p.detail.get('index')} of {p.detail.get('tree_size')}"
        return f"log {p.authority} ({where}) signed at {iso(p.time)}"
    if p.kind == "claimed":
        return f"UNSAFE: the publisher's claimed time {iso(p.time)}"
    if p.kind == "witness":
        where = f"entry {p.detail.get('index')} of {p.detail.get('tree_size')}"
        return f"{p.authority} cosigned log {p.detail.get('log')} ({where}) by {iso(p.time)}"
    return f"RFC 3161 token by {p.authority} at {iso(p.time)} (root {p.trusted_key})"
