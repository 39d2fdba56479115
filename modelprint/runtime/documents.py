"""modelprint's own files, read and written in one place: bundles, grants, fingerprint sets,
challenges, reveals, revocations and chain aggregates.

Every loader reads the file with a size bound, decodes it (checking what can be checked without
pins: a bundle's commitment signature), and names the file in any error it raises; writers are
atomic (:func:`~modelprint.runtime.files.write_atomic`), secrets mode 0600 and never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from ..protocol.bls import ChainAggregate
from ..protocol.challenge import Challenge, SignedReveal
from ..protocol.envelope import Envelope, PayloadType
from ..protocol.errors import FileKindError, ModelprintError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.records import Bundle
from ..protocol.revocation import SignedRevocation
from .files import check_private_mode, read_bytes, write_atomic

__all__ = [
    "load_aggregate",
    "load_bundle",
    "load_challenge",
    "load_fingerprints",
    "load_grant",
    "load_reveal",
    "load_revocation",
    "save_bundle",
    "save_fingerprints",
    "save_revocation",
]

T = TypeVar("T")
PathLike = str | os.PathLike[str]


def _decoded(path: PathLike, data: bytes, decode: Callable[[bytes], T]) -> T:
    """``decode(data)``, with ``path`` in front of any error (same error class)."""
    try:
        return decode(data)
    except ModelprintError as exc:
        raise type(exc)(f"{path}: {exc}") from exc


def _bundle(data: bytes) -> Bundle:
    bundle = Bundle.from_bytes(data)
    bundle.commitment()
    return bundle


def load_bundle(path: PathLike) -> Bundle:
    """Read a bundle and check its commitment signature; errors name the file."""
    return _decoded(path, read_bytes(path), _bundle)


def save_bundle(path: PathLike, bundle: Bundle) -> None:
    write_atomic(path, bundle.to_bytes(), mode=0o644)


def _grant(data: bytes) -> Envelope:
    envelope = Envelope.from_bytes(data)
    if envelope.payload_type != PayloadType.GRANT:
        raise FileKindError("not a grant")
    return envelope


def load_grant(path: PathLike) -> Envelope:
    """Read a grant (its signature is checked against the parent by whoever uses it)."""
    return _decoded(path, read_bytes(path), _grant)


def load_fingerprints(path: PathLike) -> FingerprintSet:
    """Read a secret fingerprint set; refuses one that group or others may read."""
    data = read_bytes(path)
    check_private_mode(path)
    return _decoded(path, data, FingerprintSet.from_bytes)


def save_fingerprints(path: PathLike, fingerprints: FingerprintSet) -> None:
    write_atomic(path, fingerprints.to_bytes(), mode=0o600, overwrite=False)


def load_challenge(path: PathLike) -> Challenge:
    return _decoded(path, read_bytes(path), Challenge.from_bytes)


def load_reveal(path: PathLike) -> SignedReveal:
    return _decoded(path, read_bytes(path), SignedReveal.from_bytes)


def _revocation(data: bytes) -> SignedRevocation:
    revocation = SignedRevocation.from_bytes(data)
    revocation.revocation()
    return revocation


def load_revocation(path: PathLike) -> SignedRevocation:
    """Read a signed revocation and check its signature by its own revoker key."""
    return _decoded(path, read_bytes(path), _revocation)


def save_revocation(path: PathLike, revocation: SignedRevocation) -> None:
    write_atomic(path, revocation.to_bytes(), mode=0o644)


def load_aggregate(path: PathLike) -> ChainAggregate:
    """Read a chain's aggregate BLS signature (checked against the chain by ``chain verify``)."""
    return _decoded(path, read_bytes(path), ChainAggregate.from_bytes)
