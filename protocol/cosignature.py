"""Witness cosignatures (C2SP tlog-cosignature, ``cosignature/v1``) and a witness's rule (sans-IO).

A *witness* cosigns a log's checkpoint to say "at time T I checked that this checkpoint is signed by
the log and consistent with every earlier checkpoint of that log I cosigned". A cosignature is a
signed-note signature line on the checkpoint:

    key id     = SHA-256(name || 0x0A || 0x04 || Ed25519 public key)[:4]
    message    = "cosignature/v1\\n" || "time " <T, decimal> "\\n" || checkpoint note text
    line       = "— " name " " base64(key id || uint64 big-endian T || Ed25519 signature)

For modelprint the timestamp is time evidence: a checkpoint whose root covers a bundle's log entry,
cosigned at T, shows the entry existed by T. :class:`Witness` is the witness's side of
c2sp.org/tlog-witness (``add-checkpoint``): its request body, its checks and its state, with no
networking; the HTTP server and the log's client are in ``modelprint.commit``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .checkpoint import (
    MAX_NOTE,
    Checkpoint,
    NoteSignature,
    NoteVerifier,
    SignedNote,
    format_vkey,
    key_hash,
    open_checkpoint,
    parse_checkpoint,
    parse_vkey,
)
from .errors import DecodeError, LogError, SizeLimitError
from .timeproof import check_consistent

__all__ = [
    "ALG_COSIGNATURE_V1",
    "AddCheckpoint",
    "Witness",
    "WitnessRefusal",
    "WitnessSigner",
    "WitnessVerifier",
    "cosigned_message",
]

ALG_COSIGNATURE_V1 = 0x04
"""The signed-note signature type of ``cosignature/v1`` (Ed25519 with a timestamp)."""

MAX_TIMESTAMP = 2**63 - 1
MAX_PROOF_LINES = 64
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a ``cosignature/v1`` signature covers for a checkpoint's note text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise DecodeError("cosignature timestamp out of range")
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True, slots=True)
class WitnessVerifier:
    """A witness's named Ed25519 cosigning key (what a verifier pins, the content of ``W.pub``)."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        NoteVerifier(self.name, self.public_key)  # the same name and key rules

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def vkey(self) -> str:
        """The verifier key string ``<name>+<hex key id>+<base64(0x04 || key)>``."""
        return format_vkey(self.name, ALG_COSIGNATURE_V1, self.public_key)

    @classmethod
    def from_vkey(cls, text: str) -> WitnessVerifier:
        return cls(*parse_vkey(text, ALG_COSIGNATURE_V1))

    def signed(self, signature: NoteSignature) -> bool:
        """Whether ``signature`` is a line claiming to be by this witness (name and key id)."""
        return (signature.name, signature.key_id) == (self.name, self.key_id)

    def verify(self, checkpoint_text: str, signature: NoteSignature) -> int:
        """The timestamp of this witness's valid cosignature on ``checkpoint_text``; raises
        :class:`LogError` when the line is not by this witness or does not verify."""
        if not self.signed(signature):
            raise LogError(f"the line is not a cosignature by witness {self.name}")
        if len(signature.signature) != 8 + 64:
            raise LogError(f"cosignature by witness {self.name} is not 8 + 64 bytes")
        timestamp = int.from_bytes(signature.signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise LogError(f"cosignature by witness {self.name} has an out-of-range time")
        message = cosigned_message(checkpoint_text, timestamp)
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
            key.verify(signature.signature[8:], message)
        except (InvalidSignature, ValueError):
            raise LogError(f"cosignature by witness {self.name} does not verify") from None
        return timestamp


@dataclass(frozen=True)
class WitnessSigner:
    """A witness's named Ed25519 cosigning key. ``repr`` never shows the private key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def verifier(self) -> WitnessVerifier:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return WitnessVerifier(self.name, raw)

    def cosign(self, checkpoint_text: str, timestamp: int) -> NoteSignature:
        """The ``cosignature/v1`` line for ``checkpoint_text`` at ``timestamp``."""
        signature = self.private_key.sign(cosigned_message(checkpoint_text, timestamp))
        stamp = timestamp.to_bytes(8, "big")
        return NoteSignature(self.name, self.verifier().key_id, stamp + signature)


# -- the witness's side of c2sp.org/tlog-witness -------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddCheckpoint:
    """An ``add-checkpoint`` request: the size the log believes the witness last cosigned, a
    consistency proof from it, and the new signed checkpoint."""

    old_size: int
    consistency_proof: tuple[bytes, ...]
    checkpoint: bytes

    def to_bytes(self) -> bytes:
        lines = [f"old {self.old_size}"]
        lines += [base64.b64encode(h).decode("ascii") for h in self.consistency_proof]
        return ("\n".join(lines) + "\n\n").encode("ascii") + self.checkpoint

    @classmethod
    def from_bytes(cls, data: bytes) -> AddCheckpoint:
        """Parse a request body; malformed bodies raise :class:`DecodeError`."""
        if len(data) > MAX_NOTE + 64 * (MAX_PROOF_LINES + 1):
            raise SizeLimitError("add-checkpoint request too large")
        head, sep, note = data.partition(b"\n\n")
        if not sep:
            raise DecodeError("add-checkpoint request has no blank line before the checkpoint")
        try:
            lines = head.decode("ascii").split("\n")
        except UnicodeDecodeError:
            raise DecodeError("add-checkpoint request header is not ASCII") from None
        keyword, _, size = lines[0].partition(" ")
        if keyword != "old" or not _DECIMAL.fullmatch(size):
            raise DecodeError("add-checkpoint request must start with 'old <size>'")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise SizeLimitError(f"consistency proof longer than {MAX_PROOF_LINES} hashes")
        proof = []
        for line in lines[1:]:
            try:
                digest = base64.b64decode(line, validate=True)
            except (binascii.Error, ValueError):
                raise DecodeError("consistency proof line is not base64") from None
            if len(digest) != 32:
                raise DecodeError("consistency proof hashes are 32 bytes")
            proof.append(digest)
        return cls(int(size), tuple(proof), note)


Refusal = Literal["malformed", "unknown-log", "bad-signature", "conflict", "inconsistent"]


class WitnessRefusal(LogError):
    """A checkpoint a witness will not cosign. ``reason`` says why (the HTTP server maps it to
    tlog-witness's status codes); on a ``conflict`` ``latest_size`` is the size the witness did
    last cosign, so the log can retry with a proof from there."""

    def __init__(self, reason: Refusal, message: str, *, latest_size: int | None = None) -> None:
        super().__init__(message)
        self.reason: Refusal = reason
        self.latest_size = latest_size


class Witness:
    """A witness's rule and state: for each log it knows, the last checkpoint it cosigned.

    :meth:`add_checkpoint` cosigns a checkpoint only when the log signed it and it is consistent
    with that last checkpoint, so a witness never cosigns two views of a log (split view). State
    changes only after every check passed; persisting :meth:`state` is the caller's job.
    """

    def __init__(
        self,
        signer: WitnessSigner,
        logs: Iterable[NoteVerifier],
        state: Mapping[str, bytes] | None = None,
    ) -> None:
        self.signer = signer
        self.logs: dict[str, list[NoteVerifier]] = {}
        for verifier in logs:
            self.logs.setdefault(verifier.name, []).append(verifier)
        self._latest: dict[str, tuple[Checkpoint, bytes]] = {}
        for origin, note in (state or {}).items():
            if origin not in self.logs:
                continue  # a log no longer configured
            checkpoint, _ = open_checkpoint(note, self.logs[origin])
            self._latest[origin] = (checkpoint, note)

    def state(self) -> dict[str, bytes]:
        """The last cosigned checkpoint note of each log (what to persist)."""
        return {origin: note for origin, (_, note) in self._latest.items()}

    def latest_size(self, origin: str) -> int:
        latest = self._latest.get(origin)
        return 0 if latest is None else latest[0].size

    def add_checkpoint(self, request: AddCheckpoint, now: int) -> NoteSignature:
        """Check ``request`` and return this witness's cosignature at time ``now``; raises
        :class:`WitnessRefusal` (and changes nothing) when the checkpoint cannot be cosigned."""
        try:
            checkpoint, note = parse_checkpoint(request.checkpoint)
        except DecodeError as exc:
            raise WitnessRefusal("malformed", f"malformed checkpoint: {exc}") from None
        verifiers = self.logs.get(checkpoint.origin)
        if not verifiers:
            raise WitnessRefusal("unknown-log", f"unknown log {checkpoint.origin!r}")
        try:
            note.verified_by(verifiers)
        except LogError as exc:
            raise WitnessRefusal("bad-signature", f"{checkpoint.origin}: {exc}") from None
        latest = self._latest.get(checkpoint.origin)
        latest_size = 0 if latest is None else latest[0].size
        if request.old_size != latest_size:
            raise WitnessRefusal(
                "conflict",
                f"the last checkpoint of {checkpoint.origin} cosigned has size {latest_size}, "
                f"not {request.old_size}",
                latest_size=latest_size,
            )
        if checkpoint.size < request.old_size:
            raise WitnessRefusal("malformed", "the checkpoint is smaller than the old size")
        if latest is not None:
            try:
                check_consistent(latest[0], checkpoint, request.consistency_proof)
            except LogError as exc:
                raise WitnessRefusal("inconsistent", str(exc)) from None
        elif request.consistency_proof:
            raise WitnessRefusal("inconsistent", "a proof from the empty tree must be empty")
        signature = self.signer.cosign(checkpoint.text(), now)
        self._latest[checkpoint.origin] = (checkpoint, _log_only(note, verifiers))
        return signature


def _log_only(note: SignedNote, verifiers: list[NoteVerifier]) -> bytes:
    """The note's bytes with only the log's own signature lines (what the witness keeps)."""
    ids = {(v.name, v.key_id) for v in verifiers}
    mine = tuple(s for s in note.signatures if (s.name, s.key_id) in ids)
    return SignedNote(note.text, mine).to_bytes()
