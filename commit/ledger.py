"""The publisher's ledger of burned fingerprints: which indices have been revealed, and to whom.

A revealed pair is public from then on: anyone could train it into a model, so it must never count
as evidence again. The ledger lives beside the fingerprint file (``FP.secret.ledger``), is a
canonical msgpack document ``{kind: "modelprint/ledger", version: 1, root, entries: [{index,
challenge, time}]}``, and is only ever extended: every update re-reads the file under an exclusive
lock, merges, and replaces it atomically, so concurrent ``reveal`` runs never lose an entry.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..protocol import canonical
from ..protocol.errors import CommitmentError, DecodeError, InputError
from ..protocol.fields import document, field_bytes, field_int, field_list
from ..protocol.times import MAX_TIME
from ..runtime.files import read_bytes, write_atomic

__all__ = ["Ledger", "LedgerEntry", "ledger_path"]

KIND = "modelprint/ledger"
MAX_ENTRIES = 1 << 20
"""The most entries a ledger holds (one per revealed index and challenge)."""


def ledger_path(fingerprints_path: str | os.PathLike[str]) -> Path:
    """Where the ledger of a fingerprint file lives."""
    p = Path(fingerprints_path)
    return p.with_name(p.name + ".ledger")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """Index ``index`` was revealed in answer to the challenge with digest ``challenge``."""

    index: int
    challenge: bytes
    time: int


@dataclass(frozen=True, slots=True)
class Ledger:
    """The burned indices of one fingerprint set (identified by its Merkle root)."""

    root: bytes
    entries: tuple[LedgerEntry, ...] = ()

    def burned(self) -> set[int]:
        return {e.index for e in self.entries}

    def burned_before(self, challenge: bytes) -> set[int]:
        """Indices revealed to any challenge other than ``challenge``."""
        return {e.index for e in self.entries if e.challenge != challenge}

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": KIND,
                "version": 1,
                "root": self.root,
                "entries": [
                    {"index": e.index, "challenge": e.challenge, "time": e.time}
                    for e in self.entries
                ],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Ledger:
        doc = document(canonical.decode(data), KIND, {"root", "entries"})
        parsed = []
        for e in field_list(doc, "entries", MAX_ENTRIES):
            if not isinstance(e, dict) or set(e) != {"index", "challenge", "time"}:
                raise DecodeError("malformed ledger entry")
            parsed.append(
                LedgerEntry(
                    field_int(e, "index", 0, (1 << 32) - 1),
                    field_bytes(e, "challenge"),
                    field_int(e, "time", 0, MAX_TIME),
                )
            )
        return cls(field_bytes(doc, "root"), tuple(parsed))

    # -- the file ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], root: bytes) -> Ledger:
        """Read the ledger at ``path`` (an empty ledger when there is none yet)."""
        p = Path(path)
        if not p.exists():
            return cls(root)
        try:
            ledger = cls.from_bytes(read_bytes(p))
        except DecodeError as exc:
            raise type(exc)(f"{p}: {exc}") from exc
        if ledger.root != root:
            raise CommitmentError(f"{p}: the ledger belongs to another fingerprint set")
        return ledger

    @classmethod
    def record(
        cls,
        path: str | os.PathLike[str],
        root: bytes,
        indices: Iterable[int],
        *,
        challenge: bytes,
        time: int,
    ) -> Ledger:
        """Add ``indices`` as revealed to ``challenge``; return the ledger as written.

        Entries already present for the same (index, challenge) are kept as they are.
        """
        with _locked(Path(path)):
            ledger = cls.load(path, root)
            have = {(e.index, e.challenge) for e in ledger.entries}
            new = [
                LedgerEntry(i, challenge, time)
                for i in sorted(set(indices))
                if (i, challenge) not in have
            ]
            if not new:
                return ledger
            updated = cls(root, ledger.entries + tuple(new))
            write_atomic(path, updated.to_bytes(), mode=0o600)
            return updated


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path.lock`` for the duration of a read-merge-write."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
