"""Domain-separated SHA-256.

Every hash that modelprint computes over structured data starts with a tag
``modelprint/<what>/v1`` followed by a zero byte, so a digest of one kind can never be replayed as a
digest of another. Merkle leaf and node hashes follow RFC 9162 instead (see :mod:`.merkle`).
"""

from __future__ import annotations

import hashlib

__all__ = ["DIGEST_SIZE", "Tag", "tagged_hash"]

DIGEST_SIZE = 32


class Tag:
    """The domain-separation tags, one per kind of hashed or signed input."""

    CONTENT_ID = "modelprint/content-id/v1"
    FINGERPRINT_LEAF = "modelprint/fingerprint-leaf/v1"
    FINGERPRINT_SEED = "modelprint/fingerprint-seed/v1"
    CHALLENGE_INDICES = "modelprint/challenge-indices/v1"
    KEY_ID = "modelprint/key-id/v1"
    LOG_ENTRY = "modelprint/log-entry/v1"
    TERMS = "modelprint/terms/v1"
    WEIGHTS = "modelprint/weights-manifest/v1"
    INVARIANTS = "modelprint/whitebox-invariants/v1"
    BLS_KEYGEN = "modelprint/bls-keygen/v1"
    BLS_LINK = "modelprint/bls-link/v1"


def tagged_hash(tag: str, data: bytes) -> bytes:
    """SHA-256 over ``tag || 0x00 || data``."""
    if "\x00" in tag or not tag.startswith("modelprint/"):
        raise ValueError("tags are 'modelprint/...' strings without NUL")
    return hashlib.sha256(tag.encode("ascii") + b"\x00" + data).digest()
