"""Publisher identities: Ed25519 key pairs stored as PEM files.

``ID.key`` is PKCS#8 PEM, optionally encrypted with a passphrase, mode 0600; ``ID.pub`` is the
SubjectPublicKeyInfo PEM beside it. Loading refuses a key file that group or others can read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..files import check_private_mode, read_bytes, write_atomic
from ..protocol.envelope import key_id, raw_public_key
from ..protocol.errors import KeyFileError, PassphraseError

__all__ = ["Identity", "load_public_key", "public_key_path"]

PASSPHRASE_ENV = "MODELPRINT_PASSPHRASE"


def public_key_path(key_path: str | os.PathLike[str]) -> Path:
    p = Path(key_path)
    return p.with_suffix(".pub") if p.suffix == ".key" else p.with_name(p.name + ".pub")


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
        data = read_bytes(path, max_size=64 * 1024)
        check_private_mode(path)
        if passphrase is None and os.environ.get(PASSPHRASE_ENV):
            passphrase = os.environ[PASSPHRASE_ENV].encode()
        if b"-----BEGIN" not in data or b"PRIVATE KEY-----" not in data:
            raise KeyFileError(f"{path}: not a PEM private key")
        encrypted = b"ENCRYPTED PRIVATE KEY" in data
        if encrypted and not passphrase:
            raise PassphraseError(f"{path}: key is encrypted; set {PASSPHRASE_ENV}")
        try:
            key = serialization.load_pem_private_key(
                data, password=passphrase if encrypted else None
            )
        except (ValueError, TypeError):
            if encrypted:
                raise PassphraseError(f"{path}: wrong passphrase") from None
            raise KeyFileError(f"{path}: unreadable private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path}: not an Ed25519 key")
        return cls(key)


def load_public_key(path: str | os.PathLike[str]) -> bytes:
    """Read an Ed25519 public key (PEM, or 64 hex characters) and return its 32 raw bytes."""
    data = read_bytes(path, max_size=64 * 1024)
    text = data.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key")
    return raw_public_key(key)
