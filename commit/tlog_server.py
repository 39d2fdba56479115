"""The transparency log over HTTP: one asyncio event loop, the sequencer's writer thread beside it.

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
``/checkpoint`` and ``/add`` replies; a witness that fails costs only its cosignature.

Why an event loop: with a thread per connection, every request's hand-off to the writer and back
is a pair of thread switches fighting over the interpreter lock, and on two cores that, not the
fsync, capped single-entry appends at about 1,400/s. Here the connections cost no threads: the
loop parses, queues the entry and answers when its commit's future resolves; the writer thread
only commits (SQLite and fsync release the lock). Requests are read by the same strict rules as
every other server of ours (:func:`~modelprint.runtime.http.parse_request_line`,
:func:`~modelprint.runtime.http.add_header_line`, :func:`~modelprint.runtime.http.body_length`):
a malformed request gets its 4xx, ``Connection: close`` and a lingering close, changes nothing
and prints nothing; a client that goes away is dropped without a word.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import json
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from email.message import Message
from http import HTTPStatus

from ..protocol.checkpoint import Checkpoint
from ..protocol.errors import DecodeError, LogError, ModelprintError
from ..protocol.tiles import encode_entry_bundle, parse_tile_path
from ..protocol.timeproof import LOG_ENTRY_SIZE, parse_log_entry
from ..runtime.http import (
    LINGER_BYTES,
    LINGER_SECONDS,
    MAX_HEADERS,
    MAX_LINE,
    BadRequest,
    add_header_line,
    body_length,
    parse_request_line,
    request_semantics,
)
from .tlog_store import AppendResult, LogStore, Sequencer
from .witness_client import WitnessClient, Witnesses

__all__ = ["MAX_BATCH", "MAX_BODY", "LogServer"]

MAX_BODY = 4096
"""The largest ``/add`` request body the log reads (bytes); larger requests get 413."""

MAX_BATCH = 256
"""The most entries one ``/add-batch`` request may carry; a larger body gets 413."""

IDLE_TIMEOUT = 30.0
"""Seconds a connection may stay silent (idle between requests, or in the middle of one)."""

_SERVER = "modelprint-log/1"
_NOT_TAKEN = frozenset({"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
_JSON = "application/json"
_TEXT = "text/plain; charset=utf-8"
_BINARY = "application/octet-stream"


class _Reply:
    """A reply to one request: status, body, content type, caching, and whether to close after."""

    __slots__ = ("body", "cache", "close", "content_type", "status")

    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str = _TEXT,
        cache: str = "no-store",
        *,
        close: bool = False,
    ) -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.cache, self.close = cache, close

    @classmethod
    def text(cls, status: int, message: str, *, close: bool = False) -> _Reply:
        return cls(status, (message + "\n").encode("utf-8"), close=close)


class _Dates:
    """The ``Date`` header value, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._value = second, email.utils.formatdate(second, usegmt=True)
        return self._value


class LogServer:
    """A log store behind HTTP. ``server_address`` gives the bound host and port.

    The socket is bound when the server is made (an address in use raises :class:`OSError`
    there); :meth:`serve_until_stopped` serves in the foreground (the CLI), and
    :meth:`start_background` on a thread of its own, stopped by :meth:`close` (tests).
    """

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
        self.verbose = verbose
        self.witnesses = Witnesses(witnesses, store.consistency_proof)
        self._witness_lock = threading.Lock()
        self._cosigned: tuple[Checkpoint, bytes] | None = None
        self._socket = socket.create_server((host, port), backlog=256)
        self.server_address: tuple[str, int] = self._socket.getsockname()[:2]
        self.sequencer = Sequencer(store)
        self._dates = _Dates()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._open = 0
        self._released = False

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{host}:{port}"

    # -- running -------------------------------------------------------------------------------

    def serve_until_stopped(self) -> None:
        """Serve in the foreground until SIGTERM, which exits 0, or Ctrl-C, whose
        KeyboardInterrupt goes on to the caller; then :meth:`release`."""
        sys.stderr.flush()  # the caller's "serving at URL" line, before the first request
        terminated = False

        def on_term() -> None:
            nonlocal terminated
            terminated = True
            if self._stop is not None:
                self._stop.set()

        async def main() -> None:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, on_term)
            await self._serve()

        try:
            asyncio.run(main())
        finally:
            self.release()
        if terminated:
            raise SystemExit(0)

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread; stop with :meth:`close`."""
        started = threading.Event()

        def run() -> None:
            asyncio.run(self._serve(started))

        self._thread = threading.Thread(target=run, name="log-http", daemon=True)
        self._thread.start()
        started.wait(10)
        return self._thread

    def close(self) -> None:
        """Stop :meth:`start_background`'s serving and :meth:`release`."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.release()

    def release(self) -> None:
        """Close the socket, the sequencer and the store (after serving has stopped)."""
        if self._released:
            return
        self._released = True
        self._socket.close()
        self.witnesses.close()
        self.sequencer.close()
        self.store.close()

    def wait_idle(self, timeout: float = 15.0) -> bool:
        """Wait until no connection is open (every handler done, what it printed printed)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._open == 0, timeout)

    async def _serve(self, started: threading.Event | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[object]] = set()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with self._idle:
                self._open += 1
            task = asyncio.current_task()
            if task is not None:  # to cancel at shutdown
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            try:
                await self._connection(reader, writer)
            except asyncio.CancelledError:  # shutdown; end as done, not cancelled: 3.11's
                pass  # stream callback prints a traceback for a cancelled connection task
            finally:
                with self._idle:
                    self._open -= 1
                    self._idle.notify_all()

        server = await asyncio.start_server(connection, sock=self._socket, limit=MAX_LINE + 1)
        if started is not None:
            started.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- one connection ------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                async with asyncio.timeout(IDLE_TIMEOUT):
                    reply, head_only, line = await self._one_request(reader, writer)
                if reply is None:  # the client closed, or went away mid-request
                    return
                self._write(writer, reply, head_only)
                if self.verbose:
                    sys.stderr.write(f'{self.log_prefix}"{line}" {reply.status}\n')
                await writer.drain()
                if reply.close:
                    await self._linger(reader, writer)
                    return
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[_Reply | None, bool, str]:
        """Read and answer one request: ``(reply or None to close silently, HEAD, its line)``."""
        raw = await _read_line(reader)
        if not raw:
            return None, False, ""
        line = str(raw, "iso-8859-1").rstrip("\r\n")
        command = ""
        try:
            command, target, version = parse_request_line(raw)
            headers = Message()
            for count in range(MAX_HEADERS + 1):
                if not add_header_line(headers, await _read_line(reader), count):
                    break
            close, expect_continue = request_semantics(command, version, headers)
            reply = await self._dispatch(reader, writer, command, target, headers, expect_continue)
        except BadRequest as exc:
            return _Reply.text(exc.status, exc.message, close=True), command == "HEAD", line
        except ConnectionAbortedError:
            return None, False, line
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug of ours: one line, never what the client sent
            sys.stderr.write(f"{self.log_prefix}error serving a request: {type(exc).__name__}\n")
            if self.verbose:
                traceback.print_exc()
            failed = _Reply.text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error", close=True)
            return failed, command == "HEAD", line
        if close:
            reply.close = True
        return reply, command == "HEAD", line

    async def _dispatch(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        command: str,
        target: str,
        headers: Message,
        expect_continue: bool,
    ) -> _Reply:
        path = target.split("?", 1)[0]
        if command in ("GET", "HEAD"):
            return self._get(path)
        if command != "POST":
            if command in _NOT_TAKEN:
                raise BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed")
            raise BadRequest(HTTPStatus.NOT_IMPLEMENTED, f"unsupported method ({command[:20]!r})")
        if path == "/add":
            limit = MAX_BODY
        elif path == "/add-batch":
            limit = MAX_BATCH * LOG_ENTRY_SIZE
        else:
            raise BadRequest(HTTPStatus.NOT_FOUND, "not found")
        length = body_length(headers, limit=limit)
        if expect_continue:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        try:
            body = await reader.readexactly(length) if length else b""
        except asyncio.IncompleteReadError:
            raise ConnectionAbortedError("the client sent a short body") from None
        return await self._add(path, body)

    def _get(self, path: str) -> _Reply:
        store = self.store
        if path == "/checkpoint":
            return _Reply(HTTPStatus.OK, store.checkpoint[1])
        if not path.startswith("/tile/"):
            return _Reply.text(HTTPStatus.NOT_FOUND, "not found")
        try:
            ref = parse_tile_path(path[1:])
        except DecodeError as exc:
            return _Reply.text(HTTPStatus.BAD_REQUEST, f"bad tile path: {exc}")
        try:
            if ref.level == "entries":
                body = encode_entry_bundle(store.entries_tile(ref.index, ref.width))
            else:
                assert isinstance(ref.level, int)
                body = store.tile(ref.level, ref.index, ref.width)
        except LogError:
            return _Reply.text(HTTPStatus.NOT_FOUND, "no such tile")
        full = ref.width == 256
        cache = "public, max-age=31536000, immutable" if full else "public, max-age=60"
        return _Reply(HTTPStatus.OK, body, _BINARY, cache)

    async def _add(self, path: str, body: bytes) -> _Reply:
        if path == "/add":
            entries = [body]
        else:
            if not body or len(body) % LOG_ENTRY_SIZE:
                return _Reply.text(
                    HTTPStatus.BAD_REQUEST,
                    f"body must be 1 to {MAX_BATCH} log entries of {LOG_ENTRY_SIZE} bytes",
                )
            entries = [body[i : i + LOG_ENTRY_SIZE] for i in range(0, len(body), LOG_ENTRY_SIZE)]
        for n, entry in enumerate(entries):
            try:
                parse_log_entry(entry)
            except DecodeError:
                which = f"entry {n}" if path == "/add-batch" else "body"
                return _Reply.text(
                    HTTPStatus.BAD_REQUEST, f"{which} must be one {LOG_ENTRY_SIZE}-byte log entry"
                )
        try:
            async with asyncio.timeout(IDLE_TIMEOUT):
                results = await asyncio.wrap_future(self.sequencer.enqueue(entries))
            if self.witnesses:
                loop = asyncio.get_running_loop()
                checkpoint, note = await loop.run_in_executor(None, self.witnessed, results[-1])
            else:
                checkpoint, note = results[-1].checkpoint, results[-1].note
            store = self.store
            proofs = [store.inclusion_proof(r.index, checkpoint.size) for r in results]
        except TimeoutError:
            return _Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, "log unavailable: commit timed out")
        except ModelprintError as exc:
            return _Reply.text(HTTPStatus.SERVICE_UNAVAILABLE, f"log unavailable: {exc}")
        reply: dict[str, object]
        if path == "/add":
            reply = {"index": results[0].index, "tree_size": checkpoint.size}
            reply["inclusion_proof"] = [_b64(h) for h in proofs[0]]
        else:
            items = [
                {"index": r.index, "inclusion_proof": [_b64(h) for h in proof]}
                for r, proof in zip(results, proofs, strict=True)
            ]
            reply = {"tree_size": checkpoint.size, "entries": items}
        reply["checkpoint"] = note.decode("utf-8")
        return _Reply(HTTPStatus.OK, json.dumps(reply).encode("utf-8"), _JSON)

    def _write(self, writer: asyncio.StreamWriter, reply: _Reply, head_only: bool) -> None:
        status = HTTPStatus(reply.status)
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            f"Server: {_SERVER}\r\nDate: {self._dates.now()}\r\n"
            f"Content-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\n"
            f"Cache-Control: {reply.cache}\r\n"
            + ("Connection: close\r\n" if reply.close else "")
            + "\r\n"
        ).encode("latin-1")
        writer.write(head if head_only else head + reply.body)

    async def _linger(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Half-close, then discard what the client still sends (bounded) before closing, so a
        reset caused by unread bytes cannot destroy the refusal before the client reads it. The
        discarded bytes are never parsed."""
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()
        drained = 0
        with contextlib.suppress(OSError, TimeoutError, asyncio.IncompleteReadError):
            async with asyncio.timeout(LINGER_SECONDS):
                while drained < LINGER_BYTES:
                    chunk = await reader.read(65536)
                    if not chunk:
                        break
                    drained += len(chunk)

    # -- witnesses -----------------------------------------------------------------------------

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


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    """One line with its line end, or what the client sent before it closed (possibly nothing).
    A line over :data:`MAX_LINE` bytes comes back as that many bytes and more, without its end,
    for the parsers to refuse by length."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        return exc.partial
    except asyncio.LimitOverrunError:
        return b"x" * (MAX_LINE + 1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
