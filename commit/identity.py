"""Publisher identities: Ed25519 key pairs stored as PEM files.

The identity's BLS key (for a chain's aggregate signature) is derived from the Ed25519 seed
(:func:`modelprint.protocol.bls.derive_secret`), so the key file holds one secret and nothing else.

``ID.key`` is PKCS#8 PEM, optionally encrypted with a passphrase, mode 0600; ``ID.pub`` is the
SubjectPublicKeyInfo PEM beside it. Reading key files is :mod:`modelprint.runtime.keyfiles`'s job
(it refuses a key file that group or others can read, and files of the wrong kind).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..protocol.bls import derive_secret
from ..protocol.envelope import key_id, raw_public_key
from ..runtime.files import write_atomic
from ..runtime.keyfiles import load_private_key, public_key_path

__all__ = ["Identity"]


@dataclass(frozen=True)
class Identity:
    """A signing identity. ``repr`` shows the key id, never the private key."""

    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> Identity:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.private_key.public_key())

    @property
    def key_id(self) -> bytes:
        return key_id(self.public_key)

    def bls_secret(self) -> int:
        """This identity's BLS secret key, derived from the Ed25519 seed (never stored apart)."""
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return derive_secret(seed)

    def __repr__(self) -> str:
        return f"Identity(key_id={self.key_id.hex()[:16]})"

    def private_pem(self, passphrase: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def save(self, path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> Path:
        """Write ``path`` (0600) and the public key beside it; return the public key's path."""
        write_atomic(path, self.private_pem(passphrase), mode=0o600, overwrite=False)
        pub = public_key_path(path)
        write_atomic(pub, self.public_pem(), mode=0o644)
        return pub

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> Identity:
        """Read ``ID.key`` (see :func:`modelprint.runtime.keyfiles.load_private_key`)."""
        return cls(load_private_key(path, passphrase=passphrase))
