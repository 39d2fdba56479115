"""Time evidence records carried by a bundle, and the sans-IO checks of log evidence.

Two kinds of evidence, each a canonical map in :attr:`Bundle.log_proofs` / :attr:`Bundle.timestamps`:

* :class:`LogProof` -- the bundle's log entry is at ``index`` in a transparency log, proven by an
  RFC 9162 inclusion proof under a signed C2SP checkpoint; the checkpoint's ``time`` extension, when
  it has one, is the log's clock when it signed, so the bundle existed by then; witness
  cosignatures on the checkpoint (:mod:`.cosignature`) carry their own signed times. An optional refresh carries a newer
  checkpoint of the same log and a consistency proof from the old one.
* :class:`TimestampEvidence` -- an RFC 3161 ``TimeStampResp`` over the envelope signature and the
  certificates needed to chain it to a TSA root. Checking it needs an X.509/CMS implementation
  (``modelprint.commit.timestamp``); here it is only bytes.

The log entry (:func:`log_entry`) is 88 bytes: ``"modelprint/log-entry/v1" || 0x00 || content id ||
envelope digest``, so the log's leaf binds both what was committed and who signed it.
See specs/timeproof.md for the normative text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .checkpoint import MAX_NOTE, Checkpoint, NoteVerifier, open_checkpoint, parse_checkpoint
from .envelope import key_id
from .errors import DecodeError, LogError, ProofError
from .fields import document, field_int
from .hashing import Tag
from .merkle import leaf_hash, root_from_inclusion, verify_consistency
from .records import Evidenced

__all__ = [
    "LOG_ENTRY_SIZE",
    "LogProof",
    "ProvenTime",
    "Refresh",
    "TimestampEvidence",
    "check_consistent",
    "evidence_records",
    "log_entry",
    "log_time",
    "parse_log_entry",
    "timestamp_message",
    "verify_inclusion_in",
    "verify_log_inclusion",
    "verify_log_proof",
    "verify_refresh",
]

LOG_ENTRY_PREFIX = Tag.LOG_ENTRY.encode("ascii") + b"\x00"
LOG_ENTRY_SIZE = len(LOG_ENTRY_PREFIX) + 64
MAX_PROOF_HASHES = 64
MAX_URL = 2048
MAX_TSA_RESPONSE = 64 * 1024
MAX_CHAIN = 8
MAX_CERT = 16 * 1024


def log_entry(bundle: Evidenced) -> bytes:
    """The bytes a log stores for ``bundle``: tag, NUL, content id, envelope digest."""
    return LOG_ENTRY_PREFIX + bundle.content_id() + bundle.envelope.digest()


def parse_log_entry(data: bytes) -> tuple[bytes, bytes]:
    """``(content id, envelope digest)`` of a log entry; :class:`DecodeError` if it is not one."""
    if len(data) != LOG_ENTRY_SIZE or not data.startswith(LOG_ENTRY_PREFIX):
        raise DecodeError(f"a log entry is {LOG_ENTRY_SIZE} bytes starting with {Tag.LOG_ENTRY!r}")
    body = data[len(LOG_ENTRY_PREFIX) :]
    return body[:32], body[32:]


def timestamp_message(bundle: Evidenced) -> bytes:
    """What an RFC 3161 token covers: the publisher's Ed25519 signature on the envelope.

    The signature binds the commitment payload and cannot be made by anyone else, so a token over
    it shows the signed commitment existed at the token's time (the Sigstore convention).
    """
    signer, _ = bundle.signed_by()  # checks the signature too
    wanted = key_id(signer)
    for signature in bundle.envelope.signatures:
        if signature.keyid == wanted:
            return signature.sig
    raise DecodeError("record has no signature by its signer")  # unreachable after signed_by()


def _hashes(value: object, name: str) -> tuple[bytes, ...]:
    if not isinstance(value, list) or len(value) > MAX_PROOF_HASHES:
        raise DecodeError(f"{name} must be a list of at most {MAX_PROOF_HASHES} hashes")
    if not all(isinstance(h, bytes) and len(h) == 32 for h in value):
        raise DecodeError(f"{name} must hold 32-byte hashes")
    return tuple(value)


def _note(value: object, name: str) -> bytes:
    if not isinstance(value, bytes) or not 0 < len(value) <= MAX_NOTE:
        raise DecodeError(f"{name} must be a signed note of at most {MAX_NOTE} bytes")
    return value


def _url(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_URL:
        raise DecodeError(f"url must be a string of at most {MAX_URL} characters")
    return value


@dataclass(frozen=True, slots=True)
class Refresh:
    """A newer checkpoint of the same log and the consistency proof from the proof's checkpoint."""

    checkpoint: bytes
    consistency_proof: tuple[bytes, ...]

    def to_value(self) -> dict[str, Any]:
        return {"checkpoint": self.checkpoint, "consistency_proof": list(self.consistency_proof)}

    @classmethod
    def from_value(cls, value: object) -> Refresh:
        if not isinstance(value, dict) or set(value) != {"checkpoint", "consistency_proof"}:
            raise DecodeError("malformed log-proof refresh")
        return cls(
            checkpoint=_note(value["checkpoint"], "refresh checkpoint"),
            consistency_proof=_hashes(value["consistency_proof"], "consistency proof"),
        )


@dataclass(frozen=True, slots=True)
class LogProof:
    """Transparency-log evidence: entry ``index`` under the signed ``checkpoint``."""

    index: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: bytes
    url: str | None = None
    refresh: Refresh | None = None

    KIND = "modelprint/log-proof"

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "index": self.index,
            "inclusion_proof": list(self.inclusion_proof),
            "checkpoint": self.checkpoint,
            "url": self.url,
            "refresh": None if self.refresh is None else self.refresh.to_value(),
        }

    @classmethod
    def from_value(cls, value: object) -> LogProof:
        doc = document(
            value, cls.KIND, {"index", "inclusion_proof", "checkpoint", "url", "refresh"}
        )
        return cls(
            index=field_int(doc, "index", 0, 2**63 - 1),
            inclusion_proof=_hashes(doc["inclusion_proof"], "inclusion proof"),
            checkpoint=_note(doc["checkpoint"], "checkpoint"),
            url=_url(doc["url"]),
            refresh=None if doc["refresh"] is None else Refresh.from_value(doc["refresh"]),
        )

    def unverified_checkpoint(self) -> Checkpoint:
        """The checkpoint's contents, with no signature checked (for display only)."""
        return parse_checkpoint(self.checkpoint)[0]


@dataclass(frozen=True, slots=True)
class TimestampEvidence:
    """RFC 3161 evidence: the DER ``TimeStampResp`` and DER certificates to chain it to a root."""

    response: bytes
    chain: tuple[bytes, ...] = ()
    url: str | None = None

    KIND = "modelprint/timestamp"

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "response": self.response,
            "chain": list(self.chain),
            "url": self.url,
        }

    @classmethod
    def from_value(cls, value: object) -> TimestampEvidence:
        doc = document(value, cls.KIND, {"response", "chain", "url"})
        response, chain = doc["response"], doc["chain"]
        if not isinstance(response, bytes) or not 0 < len(response) <= MAX_TSA_RESPONSE:
            raise DecodeError(f"timestamp response must be at most {MAX_TSA_RESPONSE} bytes")
        if not isinstance(chain, list) or len(chain) > MAX_CHAIN:
            raise DecodeError(f"timestamp chain must hold at most {MAX_CHAIN} certificates")
        if not all(isinstance(c, bytes) and 0 < len(c) <= MAX_CERT for c in chain):
            raise DecodeError("timestamp chain must hold DER certificates")
        return cls(response=response, chain=tuple(chain), url=_url(doc["url"]))


@dataclass(frozen=True, slots=True)
class ProvenTime:
    """A time the bundle provably existed by, and the trusted party that vouches for it.

    ``kind`` is ``"log"``, ``"tsa"`` or ``"witness"``; ``authority`` names the log origin, the TSA
    certificate subject or the witnesses of a quorum; ``trusted_key`` is the pinned log key string,
    pinned root certificate subject or the pinned witness keys.
    """

    time: int
    kind: str
    authority: str
    trusted_key: str
    detail: Mapping[str, Any]


def verify_inclusion_in(proof: LogProof, bundle: Evidenced, checkpoint: Checkpoint) -> None:
    """Raise :class:`LogError` unless the inclusion proof leads from the bundle's leaf at
    ``proof.index`` to ``checkpoint``'s root (no signature is checked here)."""
    leaf = leaf_hash(log_entry(bundle))
    try:
        root = root_from_inclusion(leaf, proof.index, checkpoint.size, proof.inclusion_proof)
    except ProofError as exc:
        raise LogError(f"inclusion proof: {exc}") from None
    if root != checkpoint.root:
        raise LogError(f"inclusion proof does not lead to the root of {checkpoint.origin}")


def verify_log_inclusion(
    proof: LogProof, bundle: Evidenced, verifiers: Iterable[NoteVerifier]
) -> tuple[Checkpoint, NoteVerifier, dict[str, Any]]:
    """Check ``proof`` for ``bundle`` under the pinned log keys, whether or not its checkpoint
    carries a time; return the checkpoint, the key that signed it and what to report.

    The checkpoint must be signed by a pinned key named after its origin; the inclusion proof must
    lead from the bundle's leaf to the checkpoint root; a refresh, if present, must be a consistent
    newer checkpoint signed by the same key. Any failure raises :class:`LogError`.
    """
    try:
        checkpoint, verifier = open_checkpoint(proof.checkpoint, list(verifiers))
    except DecodeError as exc:
        raise LogError(f"malformed checkpoint: {exc}") from None
    verify_inclusion_in(proof, bundle, checkpoint)
    detail: dict[str, Any] = {"index": proof.index, "tree_size": checkpoint.size}
    if proof.refresh is not None:
        newer = verify_refresh(checkpoint, proof.refresh, [verifier])
        detail.update(refreshed_size=newer.size, refreshed_time=newer.time)
    return checkpoint, verifier, detail


def verify_log_proof(
    proof: LogProof, bundle: Evidenced, verifiers: Iterable[NoteVerifier]
) -> ProvenTime:
    """Check ``proof`` as :func:`verify_log_inclusion` does and return the time its checkpoint's
    ``time`` line proves; a checkpoint without one proves inclusion but no time (:class:`LogError`;
    its time comes from witness cosignatures or an RFC 3161 token)."""
    checkpoint, verifier, detail = verify_log_inclusion(proof, bundle, verifiers)
    proven = log_time(checkpoint, verifier, detail)
    if proven is None:
        raise LogError(
            f"checkpoint of {checkpoint.origin} carries no time line (its time must come from "
            "witnesses or an RFC 3161 token)"
        )
    return proven


def log_time(
    checkpoint: Checkpoint, verifier: NoteVerifier, detail: Mapping[str, Any]
) -> ProvenTime | None:
    """What a verified checkpoint's ``time`` line proves (None: the checkpoint has none)."""
    if checkpoint.time is None:
        return None
    return ProvenTime(
        time=checkpoint.time,
        kind="log",
        authority=checkpoint.origin,
        trusted_key=verifier.vkey(),
        detail=detail,
    )


def verify_refresh(
    old: Checkpoint, refresh: Refresh, verifiers: Iterable[NoteVerifier]
) -> Checkpoint:
    """Check that ``refresh`` holds a newer checkpoint consistent with ``old``; return it."""
    try:
        new, _ = open_checkpoint(refresh.checkpoint, verifiers)
    except DecodeError as exc:
        raise LogError(f"malformed refreshed checkpoint: {exc}") from None
    check_consistent(old, new, refresh.consistency_proof)
    return new


def check_consistent(old: Checkpoint, new: Checkpoint, proof: Iterable[bytes]) -> None:
    """Raise :class:`LogError` unless ``new`` extends ``old`` (same origin, consistency proof,
    time not going backwards)."""
    if new.origin != old.origin:
        raise LogError("the two checkpoints come from different logs")
    if new.size < old.size:
        raise LogError(f"log {old.origin} shrank from {old.size} to {new.size} entries")
    old_time, new_time = old.time, new.time
    if old_time is not None and new_time is not None and new_time < old_time:
        raise LogError(f"log {old.origin}'s clock went backwards")
    try:
        verify_consistency(old.size, new.size, old.root, new.root, list(proof))
    except ProofError as exc:
        raise LogError(f"log {old.origin} forked: {exc}") from None


def evidence_records(bundle: Evidenced) -> tuple[list[LogProof], list[TimestampEvidence]]:
    """Decode every evidence record of ``bundle`` (malformed records raise :class:`DecodeError`)."""
    logs = [LogProof.from_value(v) for v in bundle.log_proofs]
    stamps = [TimestampEvidence.from_value(v) for v in bundle.timestamps]
    return logs, stamps
