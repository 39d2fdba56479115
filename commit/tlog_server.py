"""The transparency log over HTTP (stdlib ``http.server``, one thread per connection).

Read side, per C2SP tlog-tiles, so existing tlog tooling can mirror and audit the log:

    GET  /checkpoint                      the newest signed checkpoint (text/plain)
    GET  /tile/<L>/<N>[.p/<W>]            hash tiles
    GET  /tile/entries/<N>[.p/<W>]        entry bundles (uint16 length || entry bytes)

Write side, ours:

    POST /add        body: one log entry (88 bytes, see :func:`modelprint.protocol.timeproof.log_entry`)
                     -> 200 JSON {"index", "tree_size", "inclusion_proof": [base64], "checkpoint"}
    POST /add-batch  body: 1 to MAX_BATCH log entries, concatenated (a multiple of 88 bytes)
                     -> 200 JSON {"tree_size", "checkpoint",
                                  "entries": [{"index", "inclusion_proof": [base64]}, ...]}
                        (one item per entry, in request order, all under the one checkpoint)

An entry is acknowledged only once it and the checkpoint covering it are durable. Entries from
concurrent requests are committed together (group commit, see
:class:`~modelprint.commit.tlog_store.Sequencer`): one fsync'd SQLite transaction acknowledges
every request that queued while the previous one was being written, and a batch request puts up
to ``MAX_BATCH`` entries into one commit. With witnesses
(:class:`~modelprint.commit.witness_client.Witnesses`), the checkpoint of each reply is first sent to
them for cosignatures (c2sp.org/tlog-witness), which are stored with it and served in
``/checkpoint`` and ``/add`` replies; a witness that fails costs only its cosignature. Request bodies
are read by :func:`modelprint.runtime.http.read_body` (length required, ASCII digits, bounded);
malformed requests get a 4xx and change nothing.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Sequence
from http import HTTPStatus

from ..protocol.checkpoint import Checkpoint
from ..protocol.errors import DecodeError, LogError, ModelprintError
from ..protocol.tiles import encode_entry_bundle, parse_tile_path
from ..protocol.timeproof import LOG_ENTRY_SIZE, parse_log_entry
from ..runtime.http import BadRequest, QuietThreadingServer, StrictRequestHandler, read_body
from .tlog_store import AppendResult, LogStore, Sequencer
from .witness_client import WitnessClient, Witnesses

__all__ = ["MAX_BATCH", "MAX_BODY", "LogServer"]

MAX_BODY = 4096
"""The largest ``/add`` request body the log reads (bytes); larger requests get 413."""

MAX_BATCH = 256
"""The most entries one ``/add-batch`` request may carry; a larger body gets 413."""


class _Handler(StrictRequestHandler):
    server_version = "modelprint-log/1"
    sys_version = ""
    timeout = 30  # seconds a connection may stay silent
    server: LogServer

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        cache: str = "no-store",
        close: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"))

    def send_refusal(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), close=True)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        store = self.server.store
        if path == "/checkpoint":
            self._send(HTTPStatus.OK, store.checkpoint[1])
            return
        if not path.startswith("/tile/"):
            self._fail(HTTPStatus.NOT_FOUND, "not found")
            return
        try:
            ref = parse_tile_path(path[1:])
        except DecodeError as exc:
            self._fail(HTTPStatus.BAD_REQUEST, f"bad tile path: {exc}")
            return
        try:
            if ref.level == "entries":
                body = encode_entry_bundle(store.entries_tile(ref.index, ref.width))
            else:
                assert isinstance(ref.level, int)
                body = store.tile(ref.level, ref.index, ref.width)
        except LogError:
            self._fail(HTTPStatus.NOT_FOUND, "no such tile")
            return
        full = ref.width == 256
        cache = "public, max-age=31536000, immutable" if full else "public, max-age=60"
        self._send(HTTPStatus.OK, body, "application/octet-stream", cache)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/add":
            body = read_body(self.headers, self.rfile, limit=MAX_BODY)
            entries = [body]
        elif path == "/add-batch":
            body = read_body(self.headers, self.rfile, limit=MAX_BATCH * LOG_ENTRY_SIZE)
            if not body or len(body) % LOG_ENTRY_SIZE:
                self._fail(
                    HTTPStatus.BAD_REQUEST,
                    f"body must be 1 to {MAX_BATCH} log entries of {LOG_ENTRY_SIZE} bytes",
                )
                return
            entries = [body[i : i + LOG_ENTRY_SIZE] for i in range(0, len(body), LOG_ENTRY_SIZE)]
        else:
            raise BadRequest(HTTPStatus.NOT_FOUND, "not found")
        for n, entry in enumerate(entries):
            try:
                parse_log_entry(entry)
            except DecodeError:
                which = f"entry {n}" if path == "/add-batch" else "body"
                self._fail(
                    HTTPStatus.BAD_REQUEST, f"{which} must be one {LOG_ENTRY_SIZE}-byte log entry"
                )
                return
        try:
            results = self.server.sequencer.submit_many(entries)
            checkpoint, note = self.server.witnessed(results[-1])
            store = self.server.store
            proofs = [store.inclusion_proof(r.index, checkpoint.size) for r in results]
        except ModelprintError as exc:
            self._fail(HTTPStatus.SERVICE_UNAVAILABLE, f"log unavailable: {exc}")
            return
        items = [
            {"index": r.index, "inclusion_proof": [_b64(h) for h in proof]}
            for r, proof in zip(results, proofs, strict=True)
        ]
        reply: dict[str, object]
        if path == "/add":
            reply = {"index": results[0].index, "tree_size": checkpoint.size}
            reply["inclusion_proof"] = items[0]["inclusion_proof"]
        else:
            reply = {"tree_size": checkpoint.size, "entries": items}
        reply["checkpoint"] = note.decode("utf-8")
        self._send(HTTPStatus.OK, json.dumps(reply).encode("utf-8"), "application/json")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class LogServer(QuietThreadingServer):
    """A log store behind HTTP. ``server_address`` gives the bound host and port."""

    log_prefix = "log: "

    def __init__(
        self,
        store: LogStore,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        witnesses: Sequence[WitnessClient] = (),
    ) -> None:
        self.store = store
        self.sequencer = Sequencer(store)
        self.verbose = verbose
        self.witnesses = Witnesses(witnesses, store.consistency_proof)
        self._witness_lock = threading.Lock()
        self._cosigned: tuple[Checkpoint, bytes] | None = None
        super().__init__((host, port), _Handler)

    def witnessed(self, result: AppendResult) -> tuple[Checkpoint, bytes]:
        """The checkpoint to answer ``result`` with: its own, or with witnesses the newest
        checkpoint (which covers it) with the witnesses' cosignatures, got once per checkpoint."""
        if not self.witnesses:
            return result.checkpoint, result.note
        with self._witness_lock:
            done = self._cosigned
            if done is not None and done[0].size >= result.checkpoint.size:
                return done
            checkpoint, note = self.store.checkpoint
            note, failures = self.witnesses.cosign(checkpoint.size, note)
            for line in failures:
                sys.stderr.write(f"{self.log_prefix}no cosignature: {line}\n")
            self.store.store_cosigned(checkpoint, note)
            self._cosigned = (checkpoint, note)
            return checkpoint, note

    def release(self) -> None:
        """Close the socket, the sequencer and the store (after serving has stopped)."""
        self.server_close()
        self.witnesses.close()
        self.sequencer.close()
        self.store.close()
