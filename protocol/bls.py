"""One BLS aggregate signature over a whole license chain (BLS12-381, proof-of-possession scheme).

Every party of a chain has a BLS key derived from its Ed25519 identity seed (:func:`derive_secret`;
nothing new to store, and the key file stays the one 0600 PKCS#8 file). A publisher registers the
BLS public key with its proof of possession inside its signed commitment (the attachment named
:data:`KEY_ATTACHMENT`, a :class:`BlsKey`), so a key is bound to the Ed25519 signature and a key
without its proof is refused (no rogue-key attacks). The publisher BLS-signs its link's message,
``"modelprint/bls-link/v1" || 0x00 || content id`` (:func:`link_message`), and the bundle carries
that signature (:attr:`~modelprint.protocol.records.Bundle.bls_signature`). Anyone can add the
links' signatures into one :class:`ChainAggregate`, which verifies every link at once.

The ciphersuite is ``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`` (public keys in G1, 48 bytes;
signatures in G2, 96 bytes), computed by py_ecc, the reference implementation here. py_ecc is slow
(a pairing takes about a second): a chain of n links costs 2n pairings for the proofs of
possession and n + 1 for the aggregate. See specs/protocol.md section 7.3.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_typing import BLSPubkey, BLSSignature

from . import canonical
from .errors import CommitmentError, DecodeError, SignatureError
from .fields import document, field_bytes, field_list
from .hashing import Tag, tagged_hash

__all__ = [
    "KEY_ATTACHMENT",
    "BlsKey",
    "ChainAggregate",
    "ciphersuite",
    "derive_secret",
    "link_message",
    "registered_key",
    "sign_link",
]

KEY_ATTACHMENT = "bls12381-pop/v1"
"""The commitment attachment that registers the publisher's BLS key and proof of possession."""

PUBLIC_KEY_SIZE = 48
SIGNATURE_SIZE = 96
MAX_LINKS = 1024


@cache
def ciphersuite() -> Any:
    """py_ecc's proof-of-possession ciphersuite, imported on first use. py_ecc raises the
    interpreter's recursion limit to 100,000 when imported, which lets a deeply nested JSON or
    msgpack input overflow the C stack (a segfault instead of a DecodeError); the limit is put
    back."""
    limit = sys.getrecursionlimit()
    try:
        from py_ecc.bls.ciphersuites import G2ProofOfPossession
    finally:
        sys.setrecursionlimit(limit)
    return G2ProofOfPossession


def derive_secret(seed: bytes) -> int:
    """The BLS secret key of an Ed25519 identity: IETF KeyGen over
    ``tagged_hash("modelprint/bls-keygen/v1", 32-byte Ed25519 seed)``."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    return int(ciphersuite().KeyGen(tagged_hash(Tag.BLS_KEYGEN, seed)))


def link_message(content_id: bytes) -> bytes:
    """The bytes a publisher BLS-signs for its link: tag, NUL, the commitment's content id."""
    if len(content_id) != 32:
        raise ValueError("a content id is 32 bytes")
    return Tag.BLS_LINK.encode("ascii") + b"\x00" + content_id


def sign_link(secret: int, content_id: bytes) -> bytes:
    """The BLS signature over :func:`link_message` of ``content_id``."""
    return bytes(ciphersuite().Sign(secret, link_message(content_id)))


@dataclass(frozen=True, slots=True)
class BlsKey:
    """A BLS public key and its proof of possession, as a commitment registers them."""

    public_key: bytes
    proof: bytes

    KIND = "modelprint/bls-key"

    @classmethod
    def register(cls, secret: int) -> BlsKey:
        return cls(bytes(ciphersuite().SkToPk(secret)), bytes(ciphersuite().PopProve(secret)))

    def check(self) -> None:
        """Raise :class:`SignatureError` unless the proof of possession holds for the key."""
        if not ciphersuite().PopVerify(BLSPubkey(self.public_key), BLSSignature(self.proof)):
            raise SignatureError("the BLS key's proof of possession does not verify")

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {"kind": self.KIND, "version": 1, "public_key": self.public_key, "proof": self.proof}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> BlsKey:
        doc = document(canonical.decode_document(data), cls.KIND, {"public_key", "proof"})
        return cls(
            public_key=field_bytes(doc, "public_key", PUBLIC_KEY_SIZE),
            proof=field_bytes(doc, "proof", SIGNATURE_SIZE),
        )


def registered_key(attachments: dict[str, bytes]) -> BlsKey:
    """The BLS key a commitment registers (its proof not yet checked); :class:`CommitmentError`
    when it registers none."""
    data = attachments.get(KEY_ATTACHMENT)
    if data is None:
        raise CommitmentError("the commitment registers no BLS key with a proof of possession")
    return BlsKey.from_bytes(data)


@dataclass(frozen=True, slots=True)
class ChainAggregate:
    """One BLS signature over every link of a chain: ``links`` are the commitments' content ids,
    root first, and ``signature`` the sum of each link's BLS signature."""

    links: tuple[bytes, ...]
    signature: bytes

    KIND = "modelprint/chain-aggregate"

    @classmethod
    def of(cls, links: Sequence[bytes], signatures: Sequence[bytes]) -> ChainAggregate:
        """Add the links' signatures; :class:`SignatureError` for one that is not a G2 point."""
        if not links or len(links) != len(signatures):
            raise CommitmentError("an aggregate needs one signature for each of its links")
        try:
            signature = bytes(ciphersuite().Aggregate([BLSSignature(s) for s in signatures]))
        except (ValueError, ArithmeticError) as exc:  # py_ecc's ValidationError is a ValueError
            raise SignatureError(f"a link's BLS signature is not a signature ({exc})") from None
        return cls(tuple(links), signature)

    def verify(self, keys: Sequence[BlsKey]) -> None:
        """Check every key's proof of possession, then the aggregate over every link's message
        under the key registered for it; raise :class:`SignatureError` if anything fails."""
        for key in keys:
            key.check()
        self.verify_signature(keys)

    def verify_signature(self, keys: Sequence[BlsKey]) -> None:
        """The aggregate alone, under keys whose proofs of possession were already checked."""
        if len(keys) != len(self.links):
            raise SignatureError("the aggregate covers another number of links")
        messages = [link_message(link) for link in self.links]
        public_keys = [BLSPubkey(k.public_key) for k in keys]
        if not ciphersuite().AggregateVerify(public_keys, messages, BLSSignature(self.signature)):
            raise SignatureError("the chain's aggregate BLS signature does not verify")

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "links": list(self.links),
            "signature": self.signature,
        }

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    @classmethod
    def from_bytes(cls, data: bytes) -> ChainAggregate:
        doc = document(canonical.decode_document(data), cls.KIND, {"links", "signature"})
        links = field_list(doc, "links", MAX_LINKS, min_len=1)
        if not all(isinstance(link, bytes) and len(link) == 32 for link in links):
            raise DecodeError("field 'links' must hold 32-byte content ids")
        return cls(tuple(links), field_bytes(doc, "signature", SIGNATURE_SIZE))
