"""C2SP tlog-tiles: tile paths, tile contents and entry bundles, and proofs computed from tiles.

A log of ``size`` entries is served as *tiles* of height 8: the tile at level ``L`` and index ``N``
holds up to 256 consecutive hashes of tree level ``8 * L`` (the roots of complete subtrees of
``256 ** L`` leaves), starting at hash ``256 * N``. A tile is *full* with 256 hashes; the rightmost
tile of a level may be *partial*, served at ``.p/<W>`` with its first ``W`` hashes. Entry bundles
``tile/entries/<N>`` hold the data of entries ``256 * N ..``, each as a big-endian uint16 length and
its bytes. Index ``N`` is written as three-digit groups, all but the last prefixed with ``x``:
``1234067 -> x001/x234/067``.

:class:`HashLevels` keeps every complete-subtree hash of a growing tree (what a log stores), and
:class:`TileHasher` rebuilds any subtree hash from fetched tiles (what a client or auditor does);
both give the :data:`~.merkle.RangeHasher` that :mod:`.merkle`'s proof functions take.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .errors import DecodeError, LogError, SizeLimitError
from .merkle import EMPTY_ROOT, leaf_hash, node_hash

__all__ = [
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "HashLevels",
    "TileHasher",
    "TileRef",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "parse_tile_path",
    "tile_path",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY = 0xFFFF

_INDEX = re.compile(r"(?:x\d{3}/)*\d{3}")


def _encode_index(n: int) -> str:
    if n < 0:
        raise DecodeError("tile index must not be negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def tile_path(level: int | str, index: int, width: int | None = None) -> str:
    """``tile/<L>/<N>[.p/<W>]``, or ``tile/entries/<N>[.p/<W>]`` for ``level="entries"``."""
    if level != "entries" and not (isinstance(level, int) and 0 <= level <= 63):
        raise DecodeError("tile level must be 0..63 or 'entries'")
    path = f"tile/{level}/{_encode_index(index)}"
    if width is not None and width != TILE_WIDTH:
        if not 1 <= width < TILE_WIDTH:
            raise DecodeError("partial tile width must be 1..255")
        path += f".p/{width}"
    return path


class TileRef:
    """A parsed tile path: ``level`` (an int, or ``"entries"``), ``index`` and ``width``."""

    __slots__ = ("index", "level", "width")

    def __init__(self, level: int | str, index: int, width: int) -> None:
        self.level, self.index, self.width = level, index, width

    def __repr__(self) -> str:
        return f"TileRef({self.level!r}, {self.index}, {self.width})"


def parse_tile_path(path: str) -> TileRef:
    """Parse ``tile/...`` (without a leading slash); malformed paths raise :class:`DecodeError`."""
    if len(path) > 128 or not path.startswith("tile/"):
        raise DecodeError("not a tile path")
    rest = path[len("tile/") :]
    level_text, _, rest = rest.partition("/")
    level: int | str
    if level_text == "entries":
        level = "entries"
    elif re.fullmatch(r"0|[1-9]\d?", level_text) and int(level_text) <= 63:
        level = int(level_text)
    else:
        raise DecodeError("bad tile level")
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, width_text = rest.partition(".p/")
        if not re.fullmatch(r"[1-9]\d{0,2}", width_text) or int(width_text) >= TILE_WIDTH:
            raise DecodeError("bad partial tile width")
        width = int(width_text)
    if not _INDEX.fullmatch(rest):
        raise DecodeError("bad tile index")
    groups = rest.split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise DecodeError("tile index has a leading zero group")
    index = int("".join(g.lstrip("x") for g in groups))
    return TileRef(level, index, width)


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise SizeLimitError("a tile entry holds at most 65535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise DecodeError("truncated entry bundle")
        n = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + n > len(data):
            raise DecodeError("truncated entry bundle")
        entries.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    if len(entries) > TILE_WIDTH:
        raise DecodeError("entry bundle holds more than 256 entries")
    return entries


def _is_aligned_subtree(lo: int, hi: int) -> int | None:
    """The level k when ``[lo, hi)`` is the complete subtree of 2**k leaves, else None."""
    n = hi - lo
    if n > 0 and n & (n - 1) == 0 and lo % n == 0:
        return n.bit_length() - 1
    return None


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _range_hash(lo: int, hi: int, subtree: Callable[[int, int], bytes]) -> bytes:
    """RFC 9162 hash of leaves ``[lo, hi)`` from complete-subtree hashes ``subtree(level, index)``."""
    if hi <= lo:
        return EMPTY_ROOT
    k = _is_aligned_subtree(lo, hi)
    if k is not None:
        return subtree(k, lo >> k)
    mid = lo + _split(hi - lo)
    return node_hash(_range_hash(lo, mid, subtree), _range_hash(mid, hi, subtree))


class HashLevels:
    """Every complete-subtree hash of an append-only tree, 32 bytes each, level by level.

    ``levels[k]`` holds the hashes of the complete subtrees of ``2**k`` leaves, left to right.
    Appending a leaf hash costs amortised two SHA-256 calls; memory is about 64 bytes per leaf.
    """

    def __init__(self) -> None:
        self.levels: list[bytearray] = [bytearray()]
        self.size = 0

    def append(self, leaf: bytes) -> None:
        if len(leaf) != 32:
            raise DecodeError("leaf hashes are 32 bytes")
        self.levels[0] += leaf
        self.size += 1
        k, n, h = 0, self.size, leaf
        while n & 1 == 0:  # the new leaf completed a subtree at level k + 1
            left = bytes(self.levels[k][-64:-32])
            h = node_hash(left, h)
            k, n = k + 1, n >> 1
            if len(self.levels) == k:
                self.levels.append(bytearray())
            self.levels[k] += h

    def append_data(self, data: bytes) -> None:
        self.append(leaf_hash(data))

    def truncate(self, size: int) -> None:
        """Forget every leaf from ``size`` on (undo appends that were not made durable)."""
        if not 0 <= size <= self.size:
            raise DecodeError("cannot truncate beyond the tree")
        for k, level in enumerate(self.levels):
            del level[(size >> k) * 32 :]
        self.size = size

    def subtree(self, level: int, index: int) -> bytes:
        start = index * 32
        if level >= len(self.levels) or start + 32 > len(self.levels[level]):
            raise LogError(f"no complete subtree at level {level} index {index}")
        return bytes(self.levels[level][start : start + 32])

    def hash_range(self, lo: int, hi: int) -> bytes:
        if not 0 <= lo <= hi <= self.size:
            raise LogError(f"range [{lo}, {hi}) outside a tree of {self.size}")
        return _range_hash(lo, hi, self.subtree)

    def root(self, size: int | None = None) -> bytes:
        return self.hash_range(0, self.size if size is None else size)

    def tile(self, level: int, index: int, width: int, tree_size: int) -> bytes:
        """The tile's bytes as a tree of ``tree_size`` leaves serves it; LogError if it cannot."""
        k = level * TILE_HEIGHT
        available = tree_size >> k
        start = index * TILE_WIDTH
        if tree_size > self.size or not 1 <= width <= TILE_WIDTH or start + width > available:
            raise LogError("no such tile")
        return bytes(self.levels[k][start * 32 : (start + width) * 32])


TileFetcher = Callable[[int, int, int], bytes]
"""``fetch(level, index, width)`` returning the tile's bytes (e.g. over HTTP)."""


class TileHasher:
    """Subtree hashes of a tree of ``size`` leaves, rebuilt from tiles fetched on demand.

    The tiles are untrusted: proofs built from them are checked against a signed checkpoint.
    Wrongly sized tiles raise :class:`LogError`.
    """

    def __init__(self, fetch: TileFetcher, size: int) -> None:
        self._fetch = fetch
        self.size = size
        self._cache: dict[tuple[int, int], bytes] = {}

    def _tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        cached = self._cache.get(key)
        if cached is None:
            available = self.size >> (level * TILE_HEIGHT)
            width = min(TILE_WIDTH, available - index * TILE_WIDTH)
            if width <= 0:
                raise LogError("tile beyond the tree")
            cached = self._fetch(level, index, width)
            if len(cached) != 32 * width:
                raise LogError(f"tile {level}/{index} has {len(cached)} bytes, not {32 * width}")
            self._cache[key] = cached
        return cached

    def subtree(self, level: int, index: int) -> bytes:
        tile_level, rest = divmod(level, TILE_HEIGHT)
        first = index << rest  # the first hash of tree level 8 * tile_level under this subtree
        tile = self._tile(tile_level, first // TILE_WIDTH)
        start = first % TILE_WIDTH
        hashes = [tile[i * 32 : i * 32 + 32] for i in range(start, start + (1 << rest))]
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def hash_range(self, lo: int, hi: int) -> bytes:
        if not 0 <= lo <= hi <= self.size:
            raise LogError(f"range [{lo}, {hi}) outside a tree of {self.size}")
        return _range_hash(lo, hi, self.subtree)
