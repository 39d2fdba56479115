"""The strict, quiet HTTP/1.1 layer our servers stand on.

The rules for reading a request are sans-IO functions (:func:`parse_request_line`,
:func:`add_header_line`, :func:`request_semantics`, :func:`body_length`), shared by the
thread-per-connection servers built on :class:`StrictRequestHandler` (stdlib ``http.server``: the
model API, the TSA, the witness) and the transparency log's event loop
(:mod:`modelprint.commit.tlog_server`).

A request body is read only when its framing is beyond doubt: one ``Content-Length`` of ASCII
digits, within the server's limit, and no ``Transfer-Encoding``. Anything else is refused before a
byte of the body is read, and the connection is closed after the refusal, so unread bytes are never
taken for the next request. A JSON body must be UTF-8, one object, without duplicate keys and not
nested beyond a bound (checked without recursion).

A client that goes away (short body, reset, broken pipe, timeout) is not an error: the connection
is dropped without a word. A malformed request line or header block gets its 4xx. Nothing a client sends prints a traceback; a bug in a handler prints one line (and the
traceback only with ``verbose``).

    BadRequest (InputError)    a request refused with a 4xx status; the connection closes

The client side's one piece here is :func:`failure_reason`: the words every client (log, TSA, model
API) uses for a request that failed, so error lines name the URL and the cause, not a class.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import sys
import threading
import time
import traceback
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any, Protocol

from ..protocol.errors import InputError

__all__ = [
    "LINGER_BYTES",
    "LINGER_SECONDS",
    "MAX_HEADERS",
    "MAX_JSON_DEPTH",
    "MAX_LINE",
    "BadRequest",
    "QuietThreadingServer",
    "StrictRequestHandler",
    "add_header_line",
    "body_length",
    "failure_reason",
    "parse_json_object",
    "parse_request_line",
    "read_body",
    "request_semantics",
]

MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects :func:`parse_json_object` accepts by default."""

_LENGTH = re.compile(r"[0-9]{1,10}")  # str patterns: [0-9] is ASCII only, unlike str.isdigit
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")

_VERSION = re.compile(r"HTTP/([0-9])\.[0-9]")
_FIELD = re.compile(
    r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n\x00]*?)[ \t]*\r?\n"
)  # RFC 9110 token
MAX_LINE = 65536
"""The longest request line or header line read (bytes); longer ones get 414 or 431."""

MAX_HEADERS = 100
"""The most header lines a request may have; more get 431."""

LINGER_SECONDS = 2.0
LINGER_BYTES = 1 << 20
"""A closing connection discards what the client still sends for at most this long, this much."""


class BadRequest(InputError):
    """A request refused with a 4xx ``status``; the reply says ``message`` and the connection closes.

    Raised by :func:`read_body` and :func:`parse_json_object`, and by handlers that refuse a request
    whose body they will not read; :class:`StrictRequestHandler` turns it into the reply.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = int(status)
        self.message = message


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def parse_request_line(raw: bytes) -> tuple[str, str, str]:
    """``(method, target, version)`` of a request line (with or without its line end).

    Raises :class:`BadRequest`: 414 for a line over :data:`MAX_LINE` bytes; 400 for anything but
    ``METHOD TARGET HTTP/1.x`` (HTTP/0.9's ``GET /`` included, so every refusal has a status
    line); 505 for HTTP/2 and later.
    """
    if len(raw) > MAX_LINE:
        raise BadRequest(HTTPStatus.REQUEST_URI_TOO_LONG, "request line too long")
    words = str(raw, "iso-8859-1").rstrip("\r\n").split()
    if len(words) != 3:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "an HTTP/1.x request line is required")
    command, target, version = words
    match = _VERSION.fullmatch(version)
    if match is None:
        raise BadRequest(HTTPStatus.BAD_REQUEST, f"bad request version {version[:20]!r}")
    if match.group(1) != "1":
        raise BadRequest(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.x only")
    return command, target, version


def add_header_line(headers: Message, raw: bytes, count: int) -> bool:
    """Add header line number ``count`` (from 0) of a request to ``headers``; False for the blank
    line that ends the block.

    Raises :class:`BadRequest`: 431 for a line over :data:`MAX_LINE` bytes or a block of more than
    :data:`MAX_HEADERS` lines; 400 for a line that is not ``token ":" value`` (no colon,
    whitespace before it, a folded continuation line) or has CR, LF or NUL in its value
    (RFC 9110 5.5). A line without its line end (the connection ended inside the block) raises
    :class:`ConnectionAbortedError`: close silently.
    """
    if len(raw) > MAX_LINE:
        raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header line too long")
    if not raw.endswith(b"\n"):
        raise ConnectionAbortedError("the connection ended inside the header block")
    if raw in (b"\r\n", b"\n"):
        return False
    if count >= MAX_HEADERS:
        raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many headers")
    field = _FIELD.fullmatch(str(raw, "iso-8859-1"))
    if field is None:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "malformed header block")
    headers[field.group(1)] = field.group(2)
    return True


def request_semantics(command: str, version: str, headers: Message) -> tuple[bool, bool]:
    """``(close after the reply, send 100 Continue before reading the body)`` for a parsed head.

    HTTP/1.0 closes unless it asks for keep-alive, HTTP/1.1 keeps the connection unless it asks to
    close. Raises :class:`BadRequest` (400) for a GET or HEAD that announces a body.
    """
    connection = headers.get("Connection", "").lower()
    close = version == "HTTP/1.0" or connection == "close"
    if connection == "keep-alive":
        close = False
    if command in ("GET", "HEAD") and (
        "Transfer-Encoding" in headers or headers.get_all("Content-Length", ["0"]) != ["0"]
    ):
        raise BadRequest(HTTPStatus.BAD_REQUEST, f"a {command} request has no body")
    expect = headers.get("Expect", "").lower() == "100-continue" and version != "HTTP/1.0"
    return close, expect


def body_length(headers: Message, *, limit: int, required: bool = True) -> int:
    """The announced body length of a request, checked before a byte of the body is read.

    Raises :class:`BadRequest`: 411 for a ``Transfer-Encoding`` (chunked or any other) or, when
    ``required``, a missing ``Content-Length``; 400 for a length that is not 1 to 10 ASCII digits
    or for duplicates that differ; 413 for a length over ``limit``. Without a ``Content-Length``
    and not ``required``, the length is 0.
    """
    if "Transfer-Encoding" in headers:
        raise BadRequest(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not accepted")
    values = [str(v).strip(" \t") for v in headers.get_all("Content-Length") or []]
    if not values:
        if required:
            raise BadRequest(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
        return 0
    if any(v != values[0] for v in values) or not _LENGTH.fullmatch(values[0]):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "bad Content-Length")
    length = int(values[0])
    if length > limit:
        raise BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {limit} bytes")
    return length


def read_body(headers: Message, rfile: _Readable, *, limit: int, required: bool = True) -> bytes:
    """Read a request body of exactly :func:`body_length` bytes (its refusals happen first).

    A client that sends fewer bytes than it announced raises :class:`ConnectionAbortedError`:
    close silently.
    """
    length = body_length(headers, limit=limit, required=required)
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise ConnectionAbortedError(f"client sent {len(body)} of {length} body bytes")
    return body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("duplicate key")
    return doc


def _nesting_depth(text: str, bound: int) -> int:
    """The deepest bracket nesting outside strings, counting no further than ``bound + 1``."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > bound:
                    break
        else:
            depth -= 1
    return deepest


def parse_json_object(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """Parse a request body as one JSON object, or raise :class:`BadRequest` (400).

    Refused: bytes that are not UTF-8, text that is not strict JSON (``NaN``, ``Infinity``,
    duplicate keys, integers over the interpreter's digit limit), a document that is not an object,
    and nesting deeper than ``max_depth`` (measured by a scan, before the parser recurses).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "body is not UTF-8") from None
    if _nesting_depth(text, max_depth) > max_depth:
        raise BadRequest(HTTPStatus.BAD_REQUEST, f"JSON nested deeper than {max_depth}")
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_object)
    except (ValueError, RecursionError):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(doc, dict):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
    return doc


class QuietThreadingServer(ThreadingHTTPServer):
    """A threading HTTP server that never prints a traceback for what a client did.

    A handler error that escapes (a bug: :class:`StrictRequestHandler` catches everything a client
    can cause) is one line on stderr; with ``verbose`` the traceback follows.
    """

    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 drops connections under concurrency
    verbose = False
    log_prefix = "http: "

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle = threading.Condition()
        self._open = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle:
            self._open += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self._idle:
                self._open -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 15.0) -> bool:
        """Wait until no connection is open (every handler done, what it printed printed)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._open == 0, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exception()
        if exc is None or isinstance(exc, ConnectionError | TimeoutError):
            return
        sys.stderr.write(f"{self.log_prefix}error serving a request: {type(exc).__name__}\n")
        if self.verbose:
            traceback.print_exc()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests and benchmarks); stop with :meth:`close`."""
        name = f"{self.log_prefix.rstrip(': ')}-http"
        thread = threading.Thread(target=self.serve_forever, name=name, daemon=True)
        thread.start()
        return thread

    def serve_until_stopped(self) -> None:
        """Serve in the foreground (a CLI's ``serve`` verb) until SIGTERM, which exits 0, or
        Ctrl-C, whose KeyboardInterrupt goes on to the caller; then :meth:`release`."""

        def stop(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        sys.stderr.flush()  # the caller's "serving at URL" line, before the first request
        try:
            self.serve_forever()
        finally:
            self.release()

    def release(self) -> None:
        """Close the socket (and, in subclasses, what else they hold) once serving has stopped."""
        self.server_close()

    def close(self) -> None:
        """Stop :meth:`start_background`'s serving and :meth:`release`."""
        self.shutdown()
        self.release()


class StrictRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive with strict framing, quiet logs and silent disconnects.

    A :class:`BadRequest` raised while handling (by :func:`read_body`, :func:`parse_json_object`
    or the handler itself) becomes :meth:`send_refusal` with ``Connection: close``. HTTP/0.9
    request lines, header blocks the parser could not split cleanly (or with folded lines, or CR,
    LF or NUL in a value), and GET/HEAD requests that announce a body, are refused with 400 before
    dispatch; PUT, DELETE, PATCH, OPTIONS, TRACE and CONNECT get 405 unless a subclass takes them. Subclasses override :meth:`send_refusal` for their error format.
    """

    server: QuietThreadingServer
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # not 0.9: a garbled request line gets a status line
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stall
    wbufsize = 1 << 16  # a reply (headers and body) leaves in one write, when the request ends
    timeout = 60  # seconds a connection may stay silent (idle, or mid-request)
    raw_requestline: bytes  # set by handle_one_request before parse_request
    _replied = False

    def log_message(self, format: str, *args: Any) -> None:  # quiet; never log bodies
        if self.server.verbose:
            sys.stderr.write(self.server.log_prefix + (format % args) + "\n")

    def send_response(self, code: int, message: str | None = None) -> None:
        self._replied = True
        super().send_response(code, message)

    def send_refusal(self, status: int, message: str) -> None:
        """Send a complete error reply with ``Connection: close`` (plain text by default)."""
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def parse_request(self) -> bool:
        """Parse the request line and header block ourselves, strictly (no email parser), by
        :func:`parse_request_line`, :func:`add_header_line` and :func:`request_semantics`.
        A connection that ends inside the header block closes silently."""
        self.command, self.request_version = "", self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        command, target, version = parse_request_line(self.raw_requestline)
        self.command, self.path, self.request_version = command, target, version
        self.headers = headers = self.MessageClass()
        for count in range(MAX_HEADERS + 1):
            if not add_header_line(headers, self.rfile.readline(MAX_LINE + 1), count):
                break
        self.close_connection, expect_continue = request_semantics(command, version, headers)
        if expect_continue:
            return self.handle_expect_100()
        return True

    def handle_expect_100(self) -> bool:
        """Send ``100 Continue`` now (replies are buffered until the request ends)."""
        accepted = super().handle_expect_100()
        self.wfile.flush()
        return accepted

    def do_PUT(self) -> None:
        """Standard methods none of our servers take: 405 (an unknown method gets 501)."""
        raise BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed")

    do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = do_PUT

    def handle_one_request(self) -> None:
        self._replied = False
        try:
            try:
                super().handle_one_request()
            except BadRequest as exc:
                self.close_connection = True
                if not self._replied:
                    self.send_refusal(exc.status, exc.message)
            except (ConnectionError, TimeoutError):
                raise
            except Exception:
                self.close_connection = True
                self.server.handle_error(self.request, self.client_address)
                if not self._replied:
                    self.send_refusal(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")
            self.wfile.flush()  # also what the standard library refused without flushing (414)
        except OSError:  # the client went away (reset, broken pipe, timeout): not an error
            self.close_connection = True

    def handle(self) -> None:
        super().handle()
        self._linger()

    def _linger(self) -> None:
        """Half-close, then discard what the client still sends (bounded) before closing.

        Closing a socket with unread bytes (a refused body, the rest of an over-long line) sends a
        reset, which can destroy the last reply before the client reads it; a lingering close lets
        it arrive. The discarded bytes are never parsed.
        """
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            drained = 0
            while drained < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass


def failure_reason(exc: BaseException) -> str:
    """Why an HTTP client request failed, in a person's words (no Python class names):
    ``cannot connect (Connection refused)``, ``timed out``, ``the connection broke off``, ..."""
    import httpx

    detail = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)).strip()
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({detail})" if detail else "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "the connection broke off" + (f" ({detail})" if detail else "")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "not a usable http:// or https:// URL"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    return f"request failed ({detail})" if detail else "request failed"
