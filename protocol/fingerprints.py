"""Fingerprint sets: a 32-byte master secret and the pairs derived from it.

Pair ``i`` comes from ``HKDF-SHA256(ikm=secret, salt="modelprint/fingerprint-seed/v1",
info=scheme || 0x00 || u32be(i), L=64)``: bytes 0..32 seed the key, 32..48 seed the response and
48..64 are the leaf salt. Leaf data is ``"modelprint/fingerprint-leaf/v1" || 0x00 ||
canonical({index, key, response, salt})``; the salt keeps an unrevealed leaf unguessable even when
the scheme's key and response spaces are small.
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import canonical
from .errors import ConfigError, DecodeError, FileKindError, UnsupportedVersionError
from .hashing import Tag
from .merkle import MerkleTree, leaf_hash
from .schemes import Scheme, get_scheme

__all__ = ["MAX_FINGERPRINTS", "FingerprintPair", "FingerprintSet", "leaf_data"]

MAX_FINGERPRINTS = 1 << 20
SECRET_SIZE = 32
SALT_SIZE = 16
FILE_KIND = "modelprint/fingerprints"


@dataclass(frozen=True, slots=True)
class FingerprintPair:
    """One fingerprint: the secret key text, its response text, and the salt of its leaf."""

    index: int
    key: str
    response: str
    salt: bytes = field(repr=False)

    def leaf_data(self) -> bytes:
        return leaf_data(self.index, self.key, self.response, self.salt)

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.leaf_data())


def leaf_data(index: int, key: str, response: str, salt: bytes) -> bytes:
    """The bytes a fingerprint leaf commits to (before RFC 9162 leaf hashing)."""
    body = canonical.encode({"index": index, "key": key, "response": response, "salt": salt})
    return Tag.FINGERPRINT_LEAF.encode() + b"\x00" + body


def _seed(secret: bytes, scheme: str, index: int) -> bytes:
    info = scheme.encode() + b"\x00" + index.to_bytes(4, "big")
    kdf = HKDF(algorithm=hashes.SHA256(), length=64, salt=Tag.FINGERPRINT_SEED.encode(), info=info)
    return kdf.derive(secret)


@dataclass(frozen=True, slots=True)
class FingerprintSet:
    """A master secret, a scheme with its parameters, and how many pairs it holds.

    ``repr`` never shows the secret. Pairs are derived on demand and cached per instance.
    """

    secret: bytes = field(repr=False)
    scheme_name: str
    scheme_params: dict[str, int | str]
    count: int
    _cache: dict[int, FingerprintPair] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if len(self.secret) != SECRET_SIZE:
            raise ConfigError("the master secret must be 32 bytes")
        if not 1 <= self.count <= MAX_FINGERPRINTS:
            raise ConfigError(f"count must be in 1..{MAX_FINGERPRINTS}, got {self.count}")
        get_scheme(self.scheme_name, self.scheme_params)

    @classmethod
    def generate(
        cls,
        count: int,
        scheme: str = "if-decrypt/v1",
        params: dict[str, int | str] | None = None,
        *,
        secret: bytes | None = None,
    ) -> FingerprintSet:
        """A new set; pass ``secret`` only to reproduce a set (test vectors)."""
        resolved = get_scheme(scheme, params).params()
        return cls(
            secret=secret if secret is not None else _secrets.token_bytes(SECRET_SIZE),
            scheme_name=scheme,
            scheme_params=resolved,
            count=count,
        )

    @property
    def scheme(self) -> Scheme:
        return get_scheme(self.scheme_name, self.scheme_params)

    def pair(self, index: int) -> FingerprintPair:
        if not 0 <= index < self.count:
            raise ConfigError(f"fingerprint index {index} outside 0..{self.count - 1}")
        cached = self._cache.get(index)
        if cached is None:
            seed = _seed(self.secret, self.scheme_name, index)
            scheme = self.scheme
            key = scheme.render_key(seed[:32])
            cached = FingerprintPair(
                index=index,
                key=key,
                response=scheme.response_for(key, seed[:32], seed[32:48]),
                salt=seed[48:64],
            )
            self._cache[index] = cached
        return cached

    def pairs(self, indices: Iterable[int] | None = None) -> list[FingerprintPair]:
        chosen: Iterable[int] = range(self.count) if indices is None else indices
        return [self.pair(i) for i in chosen]

    def tree(self) -> MerkleTree:
        return MerkleTree(p.leaf_hash() for p in self.pairs())

    def root(self) -> bytes:
        return self.tree().root()

    # -- file form ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": FILE_KIND,
                "version": 1,
                "secret": self.secret,
                "scheme": self.scheme_name,
                "params": dict(self.scheme_params),
                "count": self.count,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> FingerprintSet:
        value = canonical.decode_document(data)
        doc = _expect_kind(
            value, FILE_KIND, {"kind", "version", "secret", "scheme", "params", "count"}
        )
        secret, scheme, params, count = doc["secret"], doc["scheme"], doc["params"], doc["count"]
        if not isinstance(secret, bytes) or not isinstance(scheme, str):
            raise DecodeError("fingerprint set fields have wrong types")
        if not isinstance(params, dict) or not isinstance(count, int) or isinstance(count, bool):
            raise DecodeError("fingerprint set fields have wrong types")
        return cls(secret=secret, scheme_name=scheme, scheme_params=params, count=count)


def _expect_kind(value: object, kind: str, fields: set[str]) -> dict[str, object]:
    """Check a decoded document's kind, version and exact field set."""
    if not isinstance(value, dict) or "kind" not in value:
        raise FileKindError(f"not a {kind} document")
    if value["kind"] != kind:
        raise FileKindError(f"expected {kind}, found {value['kind']!r}")
    if value.get("version") != 1:
        raise UnsupportedVersionError(f"{kind} version {value.get('version')!r} is not supported")
    if set(value) != fields:
        raise DecodeError(f"{kind}: unexpected or missing fields")
    return value


def check_sequence(values: Sequence[object], kind: type) -> None:
    if not all(isinstance(v, kind) for v in values):
        raise DecodeError("wrong element types")
