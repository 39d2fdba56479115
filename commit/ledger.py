"""The publisher's ledger of burned fingerprints: which indices have been revealed, and to whom.

A revealed pair is public from then on: anyone could train it into a model, so it must never count
as evidence again. The ledger lives beside the fingerprint file (``FP.secret.ledger``), is a
canonical msgpack document ``{kind: "modelprint/ledger", version: 1, root, entries: [{index,
challenge, time}], commitments?: [{bundle, publisher_key}]}``, and is only ever extended: every
update re-reads the file under an exclusive lock, merges, and replaces it atomically, so concurrent
``reveal`` runs never lose an entry.

``commitments`` remembers which bundles commit to this fingerprint set and under which publisher
key (``commit`` registers each bundle it signs), so a ``reveal`` without the bundle at hand can
still refuse an identity no verifier would accept before it burns anything. A ledger without
commitments (written before they existed) stays readable and is written back without the field.
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

__all__ = ["Ledger", "LedgerCommitment", "LedgerEntry", "ledger_path"]

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
class LedgerCommitment:
    """The bundle with content id ``bundle`` commits to this set, signed by ``publisher_key``."""

    bundle: bytes
    publisher_key: bytes


@dataclass(frozen=True, slots=True)
class Ledger:
    """The burned indices of one fingerprint set (identified by its Merkle root), and the
    bundles known to commit to it."""

    root: bytes
    entries: tuple[LedgerEntry, ...] = ()
    commitments: tuple[LedgerCommitment, ...] = ()

    def burned(self) -> set[int]:
        return {e.index for e in self.entries}

    def burned_before(self, challenge: bytes) -> set[int]:
        """Indices revealed to any challenge other than ``challenge``."""
        return {e.index for e in self.entries if e.challenge != challenge}

    def publisher_of(self, bundle: bytes) -> bytes | None:
        """The publisher key registered for the bundle with content id ``bundle`` (or None)."""
        return next((c.publisher_key for c in self.commitments if c.bundle == bundle), None)

    def to_bytes(self) -> bytes:
        doc: dict[str, object] = {
            "kind": KIND,
            "version": 1,
            "root": self.root,
            "entries": [
                {"index": e.index, "challenge": e.challenge, "time": e.time} for e in self.entries
            ],
        }
        if self.commitments:
            doc["commitments"] = [
                {"bundle": c.bundle, "publisher_key": c.publisher_key} for c in self.commitments
            ]
        return canonical.encode(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> Ledger:
        doc = document(canonical.decode(data), KIND, {"root", "entries"}, {"commitments"})
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
        commitments = []
        for c in field_list(doc, "commitments", MAX_ENTRIES) if "commitments" in doc else []:
            if not isinstance(c, dict) or set(c) != {"bundle", "publisher_key"}:
                raise DecodeError("malformed ledger commitment")
            commitments.append(
                LedgerCommitment(field_bytes(c, "bundle"), field_bytes(c, "publisher_key"))
            )
        return cls(field_bytes(doc, "root"), tuple(parsed), tuple(commitments))

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
        commitment: LedgerCommitment | None = None,
    ) -> Ledger:
        """Add ``indices`` as revealed to ``challenge`` (and ``commitment`` as known); return the
        ledger as written.

        Entries already present for the same (index, challenge) are kept as they are, and so is a
        commitment already registered for the same bundle.
        """
        with _locked(Path(path)):
            ledger = cls.load(path, root)
            have = {(e.index, e.challenge) for e in ledger.entries}
            new = [
                LedgerEntry(i, challenge, time)
                for i in sorted(set(indices))
                if (i, challenge) not in have
            ]
            add: tuple[LedgerCommitment, ...] = ()
            if commitment is not None and ledger.publisher_of(commitment.bundle) is None:
                add = (commitment,)
            if not new and not add:
                return ledger
            updated = cls(root, ledger.entries + tuple(new), ledger.commitments + add)
            write_atomic(path, updated.to_bytes(), mode=0o600)
            return updated

    @classmethod
    def register(
        cls, path: str | os.PathLike[str], root: bytes, commitment: LedgerCommitment
    ) -> Ledger:
        """Record that ``commitment``'s bundle commits to this set; return the ledger as written."""
        return cls.record(path, root, (), challenge=b"", time=0, commitment=commitment)


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
