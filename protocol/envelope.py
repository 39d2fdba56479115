"""DSSE-style signed envelopes with Ed25519.

The signature covers the DSSE pre-authentication encoding (PAE) of the payload type and the
payload bytes: ``"DSSEv1" SP len(type) SP type SP len(body) SP body`` with decimal ASCII lengths, so
a signature over one kind of record can never verify as another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from . import canonical
from .errors import DecodeError, SignatureError
from .hashing import Tag, tagged_hash

__all__ = ["Envelope", "PayloadType", "Signature", "key_id", "pae", "raw_public_key"]


class PayloadType:
    """Payload types of the records modelprint signs."""

    COMMITMENT = "application/vnd.modelprint.commitment.v1+msgpack"
    GRANT = "application/vnd.modelprint.grant.v1+msgpack"
    REVEAL = "application/vnd.modelprint.reveal.v1+msgpack"
    REVOCATION = "application/vnd.modelprint.revocation.v1+msgpack"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes) -> bytes:
    """A key's identifier: ``tagged_hash(KEY_ID, raw 32-byte Ed25519 public key)``."""
    return tagged_hash(Tag.KEY_ID, public_key)


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: bytes
    sig: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    """A payload, its type, and the signatures over their PAE."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    @classmethod
    def sign(cls, payload_type: str, payload: bytes, key: Ed25519PrivateKey) -> Envelope:
        public = raw_public_key(key.public_key())
        sig = key.sign(pae(payload_type, payload))
        return cls(payload_type, payload, (Signature(key_id(public), sig),))

    def verify(self, public_key: bytes, *, payload_type: str | None = None) -> None:
        """Raise :class:`SignatureError` unless ``public_key`` signed this envelope."""
        if payload_type is not None and self.payload_type != payload_type:
            raise SignatureError(f"envelope carries {self.payload_type!r}, not {payload_type!r}")
        if len(public_key) != 32:
            raise SignatureError("public key must be 32 raw Ed25519 bytes")
        wanted = key_id(public_key)
        verifier = Ed25519PublicKey.from_public_bytes(public_key)
        message = pae(self.payload_type, self.payload)
        for signature in self.signatures:
            if signature.keyid != wanted:
                continue
            try:
                verifier.verify(signature.sig, message)
                return
            except InvalidSignature:
                raise SignatureError("envelope signature does not verify") from None
        raise SignatureError("envelope has no signature by the expected key")

    def digest(self) -> bytes:
        """SHA-256 of the envelope's canonical encoding (binds payload and signatures)."""
        return tagged_hash(Tag.CONTENT_ID, self.to_bytes())

    def to_value(self) -> dict[str, Any]:
        return {
            "payload_type": self.payload_type,
            "payload": self.payload,
            "signatures": [{"keyid": s.keyid, "sig": s.sig} for s in self.signatures],
        }

    @classmethod
    def from_value(cls, value: object) -> Envelope:
        if not isinstance(value, dict) or set(value) != {"payload_type", "payload", "signatures"}:
            raise DecodeError("not a signed envelope")
        ptype, payload, sigs = value["payload_type"], value["payload"], value["signatures"]
        if not isinstance(ptype, str) or not isinstance(payload, bytes):
            raise DecodeError("envelope fields have wrong types")
        if not isinstance(sigs, list) or not 1 <= len(sigs) <= 16:
            raise DecodeError("envelope needs 1..16 signatures")
        parsed = []
        for s in sigs:
            if not isinstance(s, dict) or set(s) != {"keyid", "sig"}:
                raise DecodeError("malformed envelope signature")
            if not isinstance(s["keyid"], bytes) or len(s["keyid"]) != 32:
                raise DecodeError("malformed envelope key id")
            if not isinstance(s["sig"], bytes) or len(s["sig"]) != 64:
                raise DecodeError("malformed Ed25519 signature")
            parsed.append(Signature(s["keyid"], s["sig"]))
        return cls(ptype, payload, tuple(parsed))

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        return cls.from_value(canonical.decode_document(data))
