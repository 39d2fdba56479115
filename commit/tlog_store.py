"""Durable storage of a transparency log: entries in SQLite (WAL), the tree in memory.

The database is the truth: ``entries`` (index, data, leaf hash) and every ``checkpoints`` row the
log signed. On open the tree is rebuilt from the entries and checked against the newest stored
checkpoint; a database whose entries no longer match what the log signed is refused, so the log
never signs a checkpoint inconsistent with an earlier one. Appends go in batches (group commit):
one SQLite transaction per batch holds the new entries *and* the checkpoint that covers them, and
nothing is acknowledged before that transaction is durable (``synchronous=FULL``).

:class:`Sequencer` is the single writer: request threads hand it entries and wait; it takes
whatever has queued up while the previous batch was being committed, so throughput grows with the
number of concurrent submitters while each submitter waits for about one fsync.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..protocol.checkpoint import Checkpoint, NoteSigner, open_checkpoint, sign_checkpoint
from ..protocol.errors import DecodeError, LogError, ProofError, TransportError
from ..protocol.merkle import consistency_proof, inclusion_proof, leaf_hash
from ..protocol.tiles import TILE_WIDTH, HashLevels

__all__ = ["AppendResult", "LogStore", "Sequencer"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY, data BLOB NOT NULL, leaf BLOB NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT, size INTEGER NOT NULL, time INTEGER NOT NULL,
    note BLOB NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an entry landed and the signed checkpoint (bytes) of the batch that holds it."""

    index: int
    checkpoint: Checkpoint
    note: bytes


class LogStore:
    """An append-only log of entries with signed checkpoints, stored in one SQLite file."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        signer: NoteSigner,
        *,
        clock: Callable[[], float] = time.time,
        time_line: bool = True,
    ) -> None:
        self.path = str(path)
        self.signer = signer
        self.time_line = time_line
        self.origin = signer.name
        self._clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()
        self.levels = HashLevels()
        self._db = self._connect()
        self._db.executescript(_SCHEMA)
        self._check_meta()
        self._load()

    # -- opening -------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise LogError(f"{self.path}: cannot open the log database ({exc})") from None
        return db

    def _reader(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def _check_meta(self) -> None:
        rows = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        want = {"origin": self.origin.encode(), "public_key": self.signer.public_key}
        if not rows:
            with self._transaction():
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", list(want.items()))
        elif rows != want:
            raise LogError(f"{self.path}: the database belongs to another log or key")

    def _load(self) -> None:
        rows = self._db.execute("SELECT idx, data, leaf FROM entries ORDER BY idx")
        for expected, (idx, data, leaf) in enumerate(rows):
            if idx != expected or leaf_hash(data) != leaf:
                raise LogError(f"{self.path}: entry {idx} is damaged; refusing to serve")
            self.levels.append(leaf)
        row = self._db.execute("SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            self._checkpoint, self._note = self._sign_and_store(self.levels.size)
            return
        try:
            checkpoint, _ = open_checkpoint(row[0], [self.signer.verifier()])
        except (DecodeError, LogError) as exc:
            raise LogError(f"{self.path}: stored checkpoint does not verify ({exc})") from None
        if (
            checkpoint.size > self.levels.size
            or self.levels.root(checkpoint.size) != checkpoint.root
        ):
            raise LogError(
                f"{self.path}: entries are inconsistent with the checkpoint the log signed at "
                f"size {checkpoint.size}; refusing to sign anything"
            )
        self._checkpoint, self._note = checkpoint, bytes(row[0])
        if checkpoint.size < self.levels.size:  # cannot happen with our writes; heal forward
            self._checkpoint, self._note = self._sign_and_store(self.levels.size)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------------

    def _next_checkpoint(self, size: int) -> tuple[Checkpoint, bytes]:
        """Sign the checkpoint for ``size`` after checking it extends the last one signed."""
        last = getattr(self, "_checkpoint", None)
        now = int(self._clock())
        if last is not None:
            if size < last.size or self.levels.root(last.size) != last.root:
                raise LogError("refusing to sign a checkpoint inconsistent with the last one")
            now = max(now, last.time or 0)
        extensions = (f"time {now}",) if self.time_line else ()
        checkpoint = Checkpoint(self.origin, size, self.levels.root(size), extensions)
        self._signed_at = now
        return checkpoint, sign_checkpoint(checkpoint, self.signer)

    def _sign_and_store(self, size: int) -> tuple[Checkpoint, bytes]:
        checkpoint, note = self._next_checkpoint(size)
        with self._transaction():
            self._db.execute(
                "INSERT INTO checkpoints (size, time, note) VALUES (?, ?, ?)",
                (checkpoint.size, self._signed_at, note),
            )
        return checkpoint, note

    def append_batch(self, entries: Sequence[bytes]) -> list[AppendResult]:
        """Append ``entries`` durably in one transaction; an entry already logged keeps its index.

        Returns one result per entry, all under the checkpoint that covers the batch. On any
        failure nothing is appended and the in-memory tree is rolled back.
        """
        with self._lock:
            start = self.levels.size
            indices: list[int] = []
            fresh: dict[bytes, int] = {}
            rows: list[tuple[int, bytes, bytes]] = []
            for data in entries:
                leaf = leaf_hash(data)
                known = fresh.get(leaf)
                if known is None:
                    hit = self._db.execute("SELECT idx FROM entries WHERE leaf = ?", (leaf,))
                    found = hit.fetchone()
                    if found is not None:
                        known = int(found[0])
                if known is None:
                    known = start + len(rows)
                    fresh[leaf] = known
                    rows.append((known, data, leaf))
                indices.append(known)
            if rows:
                try:
                    for _, _, leaf in rows:
                        self.levels.append(leaf)
                    checkpoint, note = self._next_checkpoint(self.levels.size)
                    with self._transaction():
                        self._db.executemany("INSERT INTO entries VALUES (?, ?, ?)", rows)
                        self._db.execute(
                            "INSERT INTO checkpoints (size, time, note) VALUES (?, ?, ?)",
                            (checkpoint.size, self._signed_at, note),
                        )
                except sqlite3.Error as exc:
                    self.levels.truncate(start)
                    raise TransportError(f"log storage failed: {exc}") from None
                except BaseException:
                    self.levels.truncate(start)
                    raise
                self._checkpoint, self._note = checkpoint, note
            checkpoint, note = self._checkpoint, self._note
        return [AppendResult(i, checkpoint, note) for i in indices]

    def store_cosigned(self, checkpoint: Checkpoint, note: bytes) -> bool:
        """Replace the stored note of ``checkpoint`` by ``note`` (the same checkpoint with witness
        cosignatures added); served from then on if it is still the newest. Returns whether it
        was stored (False: the log has moved on, or ``note`` is not that checkpoint)."""
        try:
            opened, _ = open_checkpoint(note, [self.signer.verifier()])
        except (DecodeError, LogError):
            return False
        if opened != checkpoint:
            return False
        with self._lock:
            if self._checkpoint != checkpoint:
                return False
            with self._transaction():
                self._db.execute(
                    "UPDATE checkpoints SET note = ? WHERE id = "
                    "(SELECT MAX(id) FROM checkpoints) AND size = ?",
                    (note, checkpoint.size),
                )
            self._note = note
        return True

    # -- reading -------------------------------------------------------------------------------

    @property
    def checkpoint(self) -> tuple[Checkpoint, bytes]:
        """The newest signed checkpoint and its note bytes (only covers durable entries)."""
        return self._checkpoint, self._note

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size <= self._checkpoint.size:
            raise ProofError(f"no entry {index} in a tree of {size}")
        return inclusion_proof(self.levels.hash_range, index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        if not 0 <= old_size <= new_size <= self._checkpoint.size:
            raise ProofError(f"no consistency proof from {old_size} to {new_size}")
        return consistency_proof(self.levels.hash_range, old_size, new_size)

    def tile(self, level: int, index: int, width: int) -> bytes:
        """A hash tile of the current checkpoint's tree; :class:`LogError` if there is none."""
        return self.levels.tile(level, index, width, self._checkpoint.size)

    def entries_tile(self, index: int, width: int) -> list[bytes]:
        lo, hi = index * TILE_WIDTH, index * TILE_WIDTH + width
        if not 1 <= width <= TILE_WIDTH or hi > self._checkpoint.size:
            raise LogError("no such entry tile")
        rows = self._reader().execute(
            "SELECT data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (lo, hi)
        )
        return [bytes(r[0]) for r in rows]

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


class _Pending:
    __slots__ = ("entries", "future")

    def __init__(self, entries: Sequence[bytes]) -> None:
        self.entries = entries
        self.future: concurrent.futures.Future[list[AppendResult]] = concurrent.futures.Future()


class Sequencer:
    """The log's single writer: batches queued entries into group commits.

    A submission (one entry, or many from a batch request) waits in the queue while the previous
    group commits; the writer then takes every queued submission, up to about ``max_batch``
    entries, and commits them in one transaction. A submission is never split across commits.

    A commit costs about one fsync whatever its size, so the writer fills each one: it expects as
    many submissions as were in the system when the previous commit was acknowledged (the ones it
    released, which come back with their next entry, plus those already queued) and waits up to
    ``linger`` seconds for them before committing what it has. One submitter never waits (it is
    the whole expected batch); a submitter that goes away costs at most one ``linger``, after
    which the expectation follows the traffic. Nothing is acknowledged before its commit.
    """

    def __init__(self, store: LogStore, *, max_batch: int = 1024, linger: float = 0.002) -> None:
        self.store = store
        self.max_batch = max_batch
        self.linger = linger
        self._expected = 1
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="log-sequencer", daemon=True)
        self._thread.start()

    def submit(self, data: bytes, *, timeout: float = 30.0) -> AppendResult:
        """Append ``data`` and wait until it is durable; returns its index and checkpoint."""
        return self.submit_many([data], timeout=timeout)[0]

    def submit_many(self, entries: Sequence[bytes], *, timeout: float = 30.0) -> list[AppendResult]:
        """Append ``entries`` (in order, in one commit) and wait until they are durable."""
        if not entries:
            return []
        try:
            return self.enqueue(entries).result(timeout)
        except concurrent.futures.TimeoutError:
            raise TransportError("the log did not commit the entry in time") from None

    def enqueue(self, entries: Sequence[bytes]) -> concurrent.futures.Future[list[AppendResult]]:
        """Queue ``entries`` (at least one) for one commit, without waiting: the future holds
        their results once they are durable, or the commit's error (what an event loop awaits)."""
        pending = _Pending(entries)
        self._queue.put(pending)
        return pending.future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = self._gather(first)
            if not batch:
                continue
            try:
                results = self.store.append_batch([e for p in batch for e in p.entries])
            except BaseException as exc:  # hand the failure to every waiter, keep serving
                error = exc if isinstance(exc, Exception) else TransportError("log stopped")
                for p in batch:
                    p.future.set_exception(error)
                continue
            self._expected = len(batch) + self._queue.qsize()
            start = 0
            for p in batch:
                p.future.set_result(results[start : start + len(p.entries)])
                start += len(p.entries)

    def _gather(self, first: _Pending) -> list[_Pending]:
        """``first`` and what else is queued, waiting up to ``linger`` for the expected batch.
        A submission whose waiter cancelled it (a client gone) is dropped, never committed."""
        batch = [first] if first.future.set_running_or_notify_cancel() else []
        count = sum(len(p.entries) for p in batch)
        deadline = time.monotonic() + self.linger
        while count < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if len(batch) >= self._expected or left <= 0:
                    break
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
            if item is None:
                self._queue.put(None)
                break
            if item.future.set_running_or_notify_cancel():
                batch.append(item)
                count += len(item.entries)
        return batch

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
