"""RFC 9162 Merkle trees: roots, inclusion and consistency proofs, and multiproofs.

Leaves hash as ``SHA-256(0x00 || data)`` and interior nodes as ``SHA-256(0x01 || left || right)``;
a tree of ``n > 1`` leaves splits at the largest power of two smaller than ``n``. Proof generation
works over a ``RangeHasher`` -- a callable giving the hash of the subtree over leaves ``[lo, hi)`` -- so
a store that keeps subtree hashes (the transparency log) generates proofs without rehashing the tree.

A *multiproof* proves several leaves at once: walk the tree depth first, left before right; every
maximal subtree that contains none of the proven leaves contributes its hash, in walk order. The
verifier repeats the walk and must consume every hash exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .errors import ConfigError, ProofError

__all__ = [
    "MerkleTree",
    "MultiProof",
    "RangeHasher",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "multiproof",
    "node_hash",
    "root_from_inclusion",
    "verify_consistency",
    "verify_inclusion",
    "verify_multiproof",
]

RangeHasher = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An in-memory tree over leaf hashes, with every level kept for fast proofs."""

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        self._leaves: list[bytes] = list(leaf_hashes)
        self._memo: dict[tuple[int, int], bytes] = {}

    @classmethod
    def from_data(cls, leaves: Iterable[bytes]) -> MerkleTree:
        return cls(leaf_hash(d) for d in leaves)

    @property
    def size(self) -> int:
        return len(self._leaves)

    def leaf(self, index: int) -> bytes:
        return self._leaves[index]

    def hash_range(self, lo: int, hi: int) -> bytes:
        """Hash of the subtree over leaves ``[lo, hi)`` as RFC 9162 defines it."""
        if hi - lo == 1:
            return self._leaves[lo]
        if hi == lo:
            return EMPTY_ROOT
        key = (lo, hi)
        cached = self._memo.get(key)
        if cached is None:
            k = _split(hi - lo)
            cached = node_hash(self.hash_range(lo, lo + k), self.hash_range(lo + k, hi))
            self._memo[key] = cached
        return cached

    def root(self) -> bytes:
        return self.hash_range(0, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        return inclusion_proof(self.hash_range, index, self.size)

    def consistency_proof(self, old_size: int) -> list[bytes]:
        return consistency_proof(self.hash_range, old_size, self.size)

    def multiproof(self, indices: Iterable[int]) -> MultiProof:
        return multiproof(self.hash_range, indices, self.size)


def inclusion_proof(hash_range: RangeHasher, index: int, size: int) -> list[bytes]:
    """The RFC 9162 audit path for leaf ``index`` in a tree of ``size`` leaves, leaf side first."""
    if not 0 <= index < size:
        raise ConfigError(f"leaf index {index} outside a tree of {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(hash_range(lo + k, hi))
            hi = lo + k
        else:
            path.append(hash_range(lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def root_from_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """Recompute the root from a leaf hash and its audit path (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if len(p) != 32:
            raise ProofError("proof hash of wrong length")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``path`` proves ``leaf`` at ``index`` under ``root``."""
    if root_from_inclusion(leaf, index, size, path) != root:
        raise ProofError("inclusion proof does not lead to the root")


def consistency_proof(hash_range: RangeHasher, old_size: int, new_size: int) -> list[bytes]:
    """The RFC 9162 consistency proof from a tree of ``old_size`` to one of ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ConfigError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == 0 or old_size == new_size:
        return []

    def sub(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if whole else [hash_range(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*sub(m, lo, lo + k, whole), hash_range(lo + k, hi)]
        return [*sub(m - k, lo + k, hi, False), hash_range(lo, lo + k)]

    return sub(old_size, 0, new_size, True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the new tree extends the old one."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"tree shrank from {old_size} to {new_size}")
    if any(len(p) != 32 for p in proof):
        raise ProofError("proof hash of wrong length")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError("equal sizes need equal roots and an empty proof")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        raise ProofError("empty consistency proof")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise ProofError("consistency proof does not connect the two roots")


@dataclass(frozen=True, slots=True)
class MultiProof:
    """Hashes that, with a set of leaves, rebuild the root of a tree of ``size`` leaves."""

    size: int
    hashes: tuple[bytes, ...]


def _sorted_unique(indices: Iterable[int], size: int) -> list[int]:
    out = sorted(set(indices))
    if not out:
        raise ConfigError("a multiproof needs at least one leaf")
    if out[0] < 0 or out[-1] >= size:
        raise ConfigError(f"leaf index outside a tree of {size}")
    return out


def multiproof(hash_range: RangeHasher, indices: Iterable[int], size: int) -> MultiProof:
    """The multiproof for the leaves at ``indices`` (any order, duplicates ignored)."""
    wanted = _sorted_unique(indices, size)
    out: list[bytes] = []

    def walk(lo: int, hi: int, a: int, b: int) -> None:
        # wanted[a:b] are the proven leaves inside [lo, hi)
        if a == b:
            out.append(hash_range(lo, hi))
            return
        if hi - lo == 1:
            return
        mid = lo + _split(hi - lo)
        c = a
        while c < b and wanted[c] < mid:
            c += 1
        walk(lo, mid, a, c)
        walk(mid, hi, c, b)

    walk(0, size, 0, len(wanted))
    return MultiProof(size=size, hashes=tuple(out))


def verify_multiproof(leaves: dict[int, bytes], proof: MultiProof, root: bytes) -> None:
    """Raise :class:`ProofError` unless ``leaves`` (index -> leaf hash) and ``proof`` give ``root``."""
    size = proof.size
    if size <= 0:
        raise ProofError("multiproof over an empty tree")
    if not leaves:
        raise ProofError("multiproof with no leaves")
    wanted = sorted(leaves)
    if wanted[0] < 0 or wanted[-1] >= size:
        raise ProofError(f"leaf index outside a tree of {size}")
    hashes = proof.hashes
    if any(len(h) != 32 for h in hashes):
        raise ProofError("proof hash of wrong length")
    pos = 0

    def walk(lo: int, hi: int, a: int, b: int) -> bytes:
        nonlocal pos
        if a == b:
            if pos >= len(hashes):
                raise ProofError("multiproof is too short")
            h = hashes[pos]
            pos += 1
            return h
        if hi - lo == 1:
            return leaves[wanted[a]]
        mid = lo + _split(hi - lo)
        c = a
        while c < b and wanted[c] < mid:
            c += 1
        left = walk(lo, mid, a, c)
        return node_hash(left, walk(mid, hi, c, b))

    computed = walk(0, size, 0, len(wanted))
    if pos != len(hashes):
        raise ProofError("multiproof has unused hashes")
    if computed != root:
        raise ProofError("multiproof does not lead to the root")
