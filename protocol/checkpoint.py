"""C2SP signed notes and tlog checkpoints, with Ed25519 note signatures (sans-IO).

A *signed note* (c2sp.org/signed-note) is UTF-8 text ending in a newline, a blank line, and one or
more signature lines ``"— <key name> <base64(key id || signature)>\\n"``. The key id is the first
four bytes of ``SHA-256(name || 0x0A || 0x01 || public key)`` for Ed25519 keys, and a verifier key
is written ``<name>+<hex key id>+<base64(0x01 || public key)>``.

A *checkpoint* (c2sp.org/tlog-checkpoint) is the note text of a log: its origin line, the tree size
in decimal, the base64 RFC 9162 root hash, and optional extension lines. modelprint logs add one
extension line ``time <unix seconds>``: the log's own clock when it signed, which is what a
checkpoint proves about the entries it covers ("they existed by then"). The line is optional
(C2SP advises against extension lines, and Rekor v2 and Tessera write none): a checkpoint without
it still proves inclusion, and its time comes from witness cosignatures
(:mod:`.cosignature`) or an RFC 3161 token.

Only the bytes and the cryptography are here; fetching and storing notes is someone else's job.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from .errors import DecodeError, LogError, SizeLimitError

__all__ = [
    "ALG_ED25519",
    "MAX_NOTE",
    "Checkpoint",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "SignedNote",
    "format_vkey",
    "key_hash",
    "open_checkpoint",
    "parse_checkpoint",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
]

ALG_ED25519 = 0x01
"""The signed-note signature type of plain Ed25519 note signatures."""

MAX_NOTE = 16 * 1024
"""The largest signed note accepted (bytes)."""

MAX_SIGNATURES = 100
"""The most signature lines a note may carry."""

MAX_TREE_SIZE = 2**63 - 1

TIME_EXTENSION = "time"
"""Keyword of the extension line carrying the log's clock: ``time <unix seconds>``."""

_DASH = "\u2014"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


def _check_name(name: str) -> str:
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise DecodeError(f"invalid signed-note key name {name!r}")
    return name


def key_hash(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte signed-note key id: ``SHA-256(name || 0x0A || alg || public key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DecodeError(f"{what} is not valid base64") from None


def format_vkey(name: str, alg: int, public_key: bytes) -> str:
    """A C2SP verifier key string: ``<name>+<hex key id>+<base64(alg || public key)>``."""
    blob = base64.b64encode(bytes([alg]) + public_key).decode("ascii")
    return f"{name}+{key_hash(name, alg, public_key).hex()}+{blob}"


def parse_vkey(text: str, alg: int) -> tuple[str, bytes]:
    """``(name, public key)`` of a verifier key string of signature type ``alg`` (0x01: note
    signatures, 0x04: cosignatures); its embedded key id must match name, type and key."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise DecodeError("a verifier key is '<name>+<hex key id>+<base64 key>'")
    name, hex_id, blob = parts
    _check_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise DecodeError("verifier key id must be 8 lowercase hex digits")
    raw = _b64decode(blob, "verifier key")
    if len(raw) != 33 or raw[0] != alg:
        kind = "an Ed25519 note" if alg == ALG_ED25519 else "a witness cosignature"
        raise DecodeError(f"verifier key is not {kind} key (type 0x{alg:02x})")
    if key_hash(name, alg, raw[1:]).hex() != hex_id:
        raise DecodeError("verifier key id does not match its name and key")
    return name, raw[1:]


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A named Ed25519 note-verifier key (what a user pins, e.g. the contents of ``LOG.pub``)."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise DecodeError("an Ed25519 verifier key has 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_hash(self.name, ALG_ED25519, self.public_key)

    def vkey(self) -> str:
        """The C2SP verifier key string ``<name>+<hex key id>+<base64(0x01 || key)>``."""
        return format_vkey(self.name, ALG_ED25519, self.public_key)

    @classmethod
    def from_vkey(cls, text: str) -> NoteVerifier:
        """Parse a verifier key string; its embedded key id must match name and key."""
        return cls(*parse_vkey(text, ALG_ED25519))

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class NoteSigner:
    """A named Ed25519 note-signing key. ``repr`` never shows the private key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.public_key)

    def sign(self, text: str) -> NoteSignature:
        sig = self.private_key.sign(text.encode("utf-8"))
        return NoteSignature(self.name, self.verifier().key_id, sig)

    def skey(self) -> str:
        """The signer key string ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>``
        (the format of Go's ``golang.org/x/mod/sumdb/note``)."""
        seed = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        blob = base64.b64encode(bytes([ALG_ED25519]) + seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier().key_id.hex()}+{blob}"

    @classmethod
    def from_skey(cls, text: str) -> NoteSigner:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise DecodeError("a signer key is 'PRIVATE+KEY+<name>+<hex key id>+<base64 key>'")
        raw = _b64decode(parts[4], "signer key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise DecodeError("signer key is not an Ed25519 (type 0x01) key")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.verifier().key_id.hex() != parts[3]:
            raise DecodeError("signer key id does not match its name and key")
        return signer


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line of a note: key name, 4-byte key id, signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_DASH} {self.name} {blob}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note's text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_bytes(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedNote:
        """Parse a signed note; malformed input raises :class:`DecodeError`."""
        if len(data) > MAX_NOTE:
            raise SizeLimitError(f"signed note of {len(data)} bytes exceeds {MAX_NOTE}")
        try:
            message = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("signed note is not UTF-8") from None
        if any((c < " " and c != "\n") or c == "\x7f" for c in message):
            raise DecodeError("signed note contains control characters")
        split = message.rfind("\n\n")
        if split < 0:
            raise DecodeError("signed note has no signature block")
        text, block = message[: split + 1], message[split + 2 :]
        if not block.endswith("\n"):
            raise DecodeError("signed note does not end in a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise SizeLimitError(f"signed note carries more than {MAX_SIGNATURES} signatures")
        signatures = []
        for line in lines:
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != _DASH:
                raise DecodeError("malformed signed-note signature line")
            raw = _b64decode(parts[2], "note signature")
            if len(raw) < 5:
                raise DecodeError("note signature too short")
            signatures.append(NoteSignature(_check_name(parts[1]), raw[:4], raw[4:]))
        return cls(text, tuple(signatures))

    def verified_by(self, verifiers: Iterable[NoteVerifier]) -> NoteVerifier:
        """The first of ``verifiers`` with a valid signature on this note.

        Signatures by unknown keys are ignored (notes may carry cosignatures); a signature by a
        known key that does not verify, or no signature by any known key, raises :class:`LogError`.
        """
        known = {(v.name, v.key_id): v for v in verifiers}
        message = self.text.encode("utf-8")
        found: NoteVerifier | None = None
        for sig in self.signatures:
            verifier = known.get((sig.name, sig.key_id))
            if verifier is None:
                continue
            if not verifier.verify(message, sig.signature):
                raise LogError(f"note signature by {verifier.name} does not verify")
            found = found or verifier
        if found is None:
            raise LogError("note carries no signature by a trusted key")
        return found


def sign_note(text: str, signers: Sequence[NoteSigner]) -> SignedNote:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise DecodeError("note text is non-empty lines, each ending in a newline")
    return SignedNote(text, tuple(s.sign(text) for s in signers))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's statement "my tree of ``size`` entries has root ``root``" (tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or not self.origin.isprintable():
            raise DecodeError("checkpoint origin must be one printable line")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise DecodeError("checkpoint tree size out of range")
        if len(self.root) != 32:
            raise DecodeError("checkpoint root hash must be 32 bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext or not ext.isprintable():
                raise DecodeError("checkpoint extension lines are non-empty printable lines")

    @property
    def time(self) -> int | None:
        """The log's clock from the ``time`` extension line (unix seconds), if present."""
        for ext in self.extensions:
            keyword, _, value = ext.partition(" ")
            if keyword == TIME_EXTENSION:
                if not _DECIMAL.fullmatch(value):
                    raise DecodeError("checkpoint time extension is not a decimal number")
                return int(value)
        return None

    def text(self) -> str:
        root = base64.b64encode(self.root).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise DecodeError("checkpoint text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise DecodeError("checkpoint needs origin, tree size and root hash lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text) or int(size_text) > MAX_TREE_SIZE:
            raise DecodeError("checkpoint tree size is not a canonical decimal number")
        root = _b64decode(root_text, "checkpoint root hash")
        if base64.b64encode(root).decode("ascii") != root_text:
            raise DecodeError("checkpoint root hash is not canonical base64")
        times = [e for e in extensions if e.partition(" ")[0] == TIME_EXTENSION]
        if len(times) > 1:
            raise DecodeError("checkpoint carries more than one time extension")
        checkpoint = cls(origin, int(size_text), root, tuple(extensions))
        _ = checkpoint.time  # validates the time line
        return checkpoint


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> bytes:
    """The signed-note bytes of ``checkpoint`` signed by ``signer`` (whose name is the origin)."""
    if signer.name != checkpoint.origin:
        raise DecodeError("a log signs checkpoints under a key named after its origin")
    return sign_note(checkpoint.text(), [signer]).to_bytes()


def parse_checkpoint(data: bytes) -> tuple[Checkpoint, SignedNote]:
    """Parse a signed checkpoint without checking any signature."""
    note = SignedNote.from_bytes(data)
    return Checkpoint.from_text(note.text), note


def open_checkpoint(
    data: bytes, verifiers: Iterable[NoteVerifier]
) -> tuple[Checkpoint, NoteVerifier]:
    """Parse a signed checkpoint and check it is signed by the trusted key named after its origin.

    Raises :class:`DecodeError` for malformed bytes and :class:`LogError` when no trusted key for
    the checkpoint's origin signed it.
    """
    checkpoint, note = parse_checkpoint(data)
    for_origin = [v for v in verifiers if v.name == checkpoint.origin]
    if not for_origin:
        raise LogError(f"no trusted key for log {checkpoint.origin!r}")
    verifier = note.verified_by(for_origin)
    return checkpoint, verifier
