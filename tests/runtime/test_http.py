"""The strict request reader and the quiet handler, against both real servers on loopback.

Every malformed request gets its 4xx (or, for a client that goes away, silence), the connection
is closed after it (the bytes behind a refused request are never answered as a next request),
nothing reaches stderr, and the server goes on serving.
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import Message
from http.client import parse_headers
from typing import Protocol

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.commit.tlog_server import MAX_BODY as LOG_MAX_BODY
from modelprint.commit.tlog_server import LogServer
from modelprint.commit.tlog_store import LogStore
from modelprint.protocol.checkpoint import NoteSigner
from modelprint.protocol.errors import ConfigError
from modelprint.protocol.timeproof import LOG_ENTRY_SIZE
from modelprint.runtime.http import (
    BadRequest,
    parse_json_object,
    read_body,
)
from modelprint.verify.server import MAX_BODY as CHAT_MAX_BODY
from modelprint.verify.server import ChatServer

# -- the reader and the parser -----------------------------------------------------------------


def _headers(*lines: bytes) -> Message:
    return parse_headers(io.BytesIO(b"".join(line + b"\r\n" for line in lines) + b"\r\n"))


def _read(*lines: bytes, body: bytes = b"", limit: int = 100, required: bool = True) -> bytes:
    return read_body(_headers(*lines), io.BytesIO(body), limit=limit, required=required)


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ((b"Content-Length: abc",), 400),
        ((b"Content-Length: -1",), 400),
        ((b"Content-Length: +5",), 400),
        ((b"Content-Length: \xb2",), 400),  # latin-1 superscript two: str.isdigit says yes
        ((b"Content-Length: 5,5",), 400),
        ((b"Content-Length: 5 5",), 400),
        ((b"Content-Length: 0x5",), 400),
        ((b"Content-Length:",), 400),
        ((b"Content-Length: 5", b"Content-Length: 6"), 400),
        ((b"Content-Length:", b" 5"), 400),  # obs-fold
        ((b"Content-Length: 99999999999",), 400),  # eleven digits
        ((b"Content-Length: 9999999999",), 413),
        ((b"Content-Length: 101",), 413),
        ((), 411),
        ((b"Transfer-Encoding: chunked",), 411),
        ((b"Transfer-Encoding: chunked", b"Content-Length: 5"), 411),
        ((b"Transfer-Encoding: identity",), 411),
    ],
)
def test_read_body_refuses_bad_framing_before_reading(
    lines: tuple[bytes, ...], status: int
) -> None:
    rfile = io.BytesIO(b"x" * 200)
    with pytest.raises(BadRequest) as caught:
        read_body(_headers(*lines), rfile, limit=100, required=True)
    assert caught.value.status == status and isinstance(caught.value.message, str)
    assert rfile.tell() == 0  # not a byte of the body was read


def test_read_body_reads_exactly_the_announced_length() -> None:
    assert _read(b"Content-Length: 5", body=b"helloGET / HTTP/1.1") == b"hello"
    assert _read(b"Content-Length: 0005", body=b"hello") == b"hello"
    assert _read(b"Content-Length:  5 ", body=b"hello") == b"hello"  # optional whitespace
    assert _read(b"Content-Length: 5", b"Content-Length: 5", body=b"hello") == b"hello"
    assert _read(b"Content-Length: 100", body=b"x" * 100) == b"x" * 100  # the limit itself
    assert _read(b"Content-Length: 0") == b""
    assert _read(required=False) == b""


def test_read_body_short_read_is_a_disconnect() -> None:
    with pytest.raises(ConnectionAbortedError):
        _read(b"Content-Length: 10", body=b"abc")


@pytest.mark.parametrize(
    "body",
    [
        b"\xff{}",
        b'{"a": "\xc3"}',
        b"\xef\xbb\xbf{}",  # a BOM
        b"",
        b"{",
        b"[]",
        b'"text"',
        b"null",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1, "a": 2}',
        b'{"a": ' + b"9" * 5000 + b"}",
        b"[" * 100_000,
        b'{"a": ' + b"[" * 65 + b"]" * 65 + b"}",
        b"{" * 100_000,
    ],
)
def test_parse_json_object_refuses_with_400(body: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_json_object(body)
    assert caught.value.status == 400


def test_parse_json_object_counts_depth_outside_strings_only() -> None:
    doc = {"a": "[[[[{{{{" * 100, "b": '\\"[[[', "c": [[[[{"d": 1}]]]]}
    assert parse_json_object(json.dumps(doc).encode()) == doc
    deep = b'{"a": ' + b"[" * 63 + b"]" * 63 + b"}"  # 64 levels with the object
    assert parse_json_object(deep) == {"a": json.loads(b"[" * 63 + b"]" * 63)}
    with pytest.raises(BadRequest):
        parse_json_object(deep, max_depth=63)
    assert parse_json_object('{"é": "ü"}'.encode()) == {"é": "ü"}


# -- real servers ------------------------------------------------------------------------------


class _Idle(Protocol):
    def wait_idle(self, timeout: float = 15.0) -> bool: ...


@dataclass
class Served:
    """A server on loopback: where it listens, its body path, and a good request for it."""

    address: tuple[str, int]
    path: bytes
    limit: int
    good_body: bytes
    pipelined: bytes  # a well-formed GET that would be answered if a refusal were misframed
    server: _Idle  # waits until every handler is done, its stderr written

    def url(self, path: str) -> str:
        return f"http://{self.address[0]}:{self.address[1]}{path}"


def _entry(i: int) -> bytes:
    return b"modelprint/log-entry/v1\x00" + i.to_bytes(4, "big") * 16


@pytest.fixture(scope="module")
def log_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    signer = NoteSigner("example.test/log", Ed25519PrivateKey.generate())
    server = LogServer(LogStore(tmp_path_factory.mktemp("log") / "log.sqlite", signer))
    server.start_background()
    try:
        host, port = server.server_address[:2]
        yield Served(
            (str(host), int(port)), b"/add", LOG_MAX_BODY, _entry(1),
            b"GET /checkpoint HTTP/1.1\r\nHost: t\r\n\r\n", server,
        )  # fmt: skip
    finally:
        server.close()


def _echo(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
    text = conversations[0][-1]["content"]
    if text == "too long":
        raise ConfigError("max_tokens must be in 1..4096")
    if text == "crash":
        raise RuntimeError("secret prompt text")
    if text == "slow":
        time.sleep(0.5)
    return [f"echo: {text}"]


def _chat_body(text: str) -> bytes:
    return json.dumps({"messages": [{"role": "user", "content": text}]}).encode()


@pytest.fixture(scope="module")
def chat_http() -> Iterator[Served]:
    server = ChatServer(("127.0.0.1", 0), _echo, "echo")
    server.start()
    try:
        host, port = server.server_address[:2]
        yield Served(
            (str(host), int(port)), b"/v1/chat/completions", CHAT_MAX_BODY, _chat_body("hi"),
            b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n", server,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["log", "chat"])
def served(request: pytest.FixtureRequest) -> Served:
    fixture: Served = request.getfixturevalue(f"{request.param}_http")
    return fixture


def _read_to_eof(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a server that keeps the connection open
    makes this time out (the test fails)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(served: Served, data: bytes, *, half_close: bool = False) -> bytes:
    with socket.create_connection(served.address, timeout=10) as sock:
        sock.sendall(data)
        if half_close:  # for requests without a line end: the server reads to EOF
            sock.shutdown(socket.SHUT_WR)
        return _read_to_eof(sock)


def _statuses(reply: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", reply)]


def _post(served: Served, *headers: bytes, body: bytes = b"") -> bytes:
    head = b"POST " + served.path + b" HTTP/1.1\r\nHost: t\r\n"
    return head + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


def _assert_quiet_and_alive(served: Served, capfd: pytest.CaptureFixture[str]) -> None:
    # answered after every earlier connection was accepted (one accept loop, FIFO backlog) ...
    assert httpx.get(served.url("/checkpoint" if served.path == b"/add" else "/health")).is_success
    assert _good_post(served) == 200
    assert served.server.wait_idle()  # ... and once their handlers are done, stderr is complete
    err = capfd.readouterr().err
    assert "Traceback" not in err and err == "", err


def _good_post(served: Served) -> int:
    reply = httpx.post(served.url(served.path.decode()), content=served.good_body, timeout=10)
    return reply.status_code


BAD_FRAMING = [
    pytest.param((b"Content-Length: abc",), 400, id="non-numeric"),
    pytest.param((b"Content-Length: -1",), 400, id="negative"),
    pytest.param((b"Content-Length: +5",), 400, id="plus-sign"),
    pytest.param((b"Content-Length: \xb2",), 400, id="non-ascii-digit"),
    pytest.param((b"Content-Length: 5,5",), 400, id="comma-list"),
    pytest.param((b"Content-Length: 5", b"Content-Length: 6"), 400, id="conflicting-duplicates"),
    pytest.param((b"Content-Length:", b" 5"), 400, id="obs-fold"),
    pytest.param((b"Content-Length : 5",), 400, id="space-before-colon"),
    pytest.param((b"Content-Length: 99999999999",), 400, id="eleven-digits"),
    pytest.param((b"Content-Length: 9999999999",), 413, id="huge"),
    pytest.param((), 411, id="missing-length"),
    pytest.param((b"Transfer-Encoding: chunked",), 411, id="chunked"),
    pytest.param((b"Transfer-Encoding: chunked", b"Content-Length: 5"), 411, id="chunked+length"),
]


@pytest.mark.parametrize(("headers", "status"), BAD_FRAMING)
def test_bad_framing_is_refused_and_closes_without_answering_what_follows(
    served: Served, headers: tuple[bytes, ...], status: int, capfd: pytest.CaptureFixture[str]
) -> None:
    # behind the headers: a chunk, then a well-formed request that must never be answered
    body = b"5\r\nhello\r\n0\r\n\r\n" + served.pipelined
    reply = _exchange(served, _post(served, *headers, body=body))
    assert _statuses(reply) == [status], reply[:200]
    assert b"\r\nconnection: close\r\n" in reply.lower()
    _assert_quiet_and_alive(served, capfd)


def test_over_the_limit_is_413_and_the_pipelined_request_is_not_answered(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    over = served.limit + 1
    head = _post(served, b"Content-Length: %d" % over)
    reply = _exchange(served, head + b"x" * 100 + served.pipelined)
    assert _statuses(reply) == [413]
    # the whole oversized body sent at once: the refusal still arrives, then a clean close
    reply = _exchange(served, head + b"x" * over + served.pipelined)
    assert _statuses(reply) == [413]
    _assert_quiet_and_alive(served, capfd)


MANY_HEADERS = b"".join(b"X-%d: y\r\n" % i for i in range(101))


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="one-word-request-line"),
        pytest.param(b"GET / HTTP/1.x\r\n\r\n", 400, id="bad-version"),
        pytest.param(b"GET / HTTP/2.0\r\n\r\n", 505, id="http-2"),
        pytest.param(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, id="long-line"),
        pytest.param(b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431, id="long-header"),
        pytest.param(b"GET / HTTP/1.1\r\n" + MANY_HEADERS + b"\r\n", 431, id="too-many-headers"),
        pytest.param(b"POST /\r\n\r\n", 400, id="http-0.9-post"),
        pytest.param(b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400, id="get-with-body"),
        pytest.param(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, id="not-a-header"),
        pytest.param(b"BREW / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 501, id="unknown-method"),
        # found by benchmarks/bench_servers.py: a bare "GET /" (HTTP/0.9) waited for headers and
        # would have been answered without a status line; folded lines and NUL were accepted
        pytest.param(b"GET /\r\n", 400, id="http-0.9-get"),
        pytest.param(b"GET / HTTP/1.1\r\nX-Fold: a\r\n b\r\n\r\n", 400, id="obs-fold-other"),
        pytest.param(b"GET / HTTP/1.1\r\nX-Nul: a\x00b\r\n\r\n", 400, id="nul-in-value"),
        pytest.param(b"PUT / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 405, id="put"),
        pytest.param(b"OPTIONS * HTTP/1.1\r\n\r\n", 405, id="options"),
    ],
)
def test_malformed_request_lines_and_headers_get_4xx_quietly(
    served: Served, request_bytes: bytes, status: int, capfd: pytest.CaptureFixture[str]
) -> None:
    reply = _exchange(served, request_bytes + served.pipelined)
    assert _statuses(reply) == [status], reply[:200]
    _assert_quiet_and_alive(served, capfd)


def test_post_elsewhere_is_404_and_its_body_is_not_taken_for_a_request(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    pipelined = served.pipelined
    raw = b"POST /elsewhere HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(pipelined) + pipelined
    assert _statuses(_exchange(served, raw)) == [404]
    _assert_quiet_and_alive(served, capfd)


def test_a_short_body_closes_silently(served: Served, capfd: pytest.CaptureFixture[str]) -> None:
    with socket.create_connection(served.address, timeout=10) as sock:
        sock.sendall(_post(served, b"Content-Length: 50", body=b"0123456789"))
        sock.shutdown(socket.SHUT_WR)  # the client is done, 40 bytes short
        assert _read_to_eof(sock) == b""
    _assert_quiet_and_alive(served, capfd)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a client that crashed."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_that_vanish_mid_request_or_before_the_reply_are_not_errors(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    # reset in the middle of the headers, of the body, and right after a complete request
    for data in (
        b"POST " + served.path + b" HTTP/1.1\r\nContent-Le",
        _post(served, b"Content-Length: 50", body=b"0123456789"),
        _post(served, b"Content-Length: %d" % len(served.good_body), body=served.good_body),
    ):
        sock = socket.create_connection(served.address, timeout=10)
        sock.sendall(data)
        time.sleep(0.05)
        _reset(sock)
    _assert_quiet_and_alive(served, capfd)


def test_chat_client_gone_before_a_slow_reply_is_quiet(
    chat_http: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    body = _chat_body("slow")  # the reply is written 0.5 s later, into a reset connection
    for _ in range(2):
        sock = socket.create_connection(chat_http.address, timeout=10)
        sock.sendall(_post(chat_http, b"Content-Length: %d" % len(body), body=body))
        _reset(sock)
    _assert_quiet_and_alive(chat_http, capfd)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="deeply-nested-array"),
        pytest.param(b'{"messages": ' + b"[" * 100_000 + b"}", id="deeply-nested-value"),
        pytest.param(b'{"messages": "\xff\xfe"}', id="invalid-utf8"),
        pytest.param(b"\x00\x01\x02", id="binary"),
        pytest.param(b'["not", "an", "object"]', id="not-an-object"),
        pytest.param(b'{"messages": [], "messages": [1]}', id="duplicate-key"),
        pytest.param(b'{"messages": [], "max_tokens": NaN}', id="nan"),
        pytest.param(b"", id="empty"),
    ],
)
def test_chat_bad_json_is_400_and_closes(
    chat_http: Served, body: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    raw = _post(chat_http, b"Content-Length: %d" % len(body), body=body) + chat_http.pipelined
    reply = _exchange(chat_http, raw)
    assert _statuses(reply) == [400], reply[:200]
    doc = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert doc["error"]["type"] == "invalid_request_error"
    _assert_quiet_and_alive(chat_http, capfd)


def test_chat_generation_errors_config_is_400_others_500_in_one_line(
    chat_http: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    url = chat_http.url("/v1/chat/completions")
    with httpx.Client(timeout=10) as client:
        refused = client.post(url, content=_chat_body("too long"))
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == "max_tokens must be in 1..4096"
        failed = client.post(url, content=_chat_body("crash"))
        assert failed.status_code == 500
        assert failed.json()["error"] == {
            "message": "generation failed (RuntimeError)",
            "type": "server_error",
        }
        assert client.post(url, content=_chat_body("fine")).status_code == 200  # still serving
    assert chat_http.server.wait_idle()
    err = capfd.readouterr().err
    assert err == "serve: generation failed (RuntimeError)\n"  # never the prompt


def test_log_entry_that_does_not_parse_is_400_and_keeps_the_connection(
    log_http: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = b"x" * LOG_ENTRY_SIZE
    first = _post(log_http, b"Content-Length: %d" % len(bad), body=bad)
    with socket.create_connection(log_http.address, timeout=10) as sock:
        sock.sendall(first + b"GET /checkpoint HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert _statuses(_read_to_eof(sock)) == [400, 200]
    _assert_quiet_and_alive(log_http, capfd)


def test_keep_alive_and_pipelining_still_work(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    good = _post(served, b"Content-Length: %d" % len(served.good_body), body=served.good_body)
    last = served.pipelined.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with socket.create_connection(served.address, timeout=10) as sock:
        sock.sendall(good + served.pipelined + good + last)
        assert _statuses(_read_to_eof(sock)) == [200, 200, 200, 200]
    _assert_quiet_and_alive(served, capfd)


def test_server_survives_a_burst_of_bad_requests(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = [
        _post(served, b"Content-Length: \xb2", body=b"xx"),
        _post(served, b"Content-Length: -1"),
        _post(served, b"Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello
        b"\r\n\r\n",
        b"",
    ]
    threads = [
        threading.Thread(target=_exchange, args=(served, b), kwargs={"half_close": True})
        for b in bad * 5
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    _assert_quiet_and_alive(served, capfd)


def test_expect_100_continue_is_answered_before_the_body_is_sent(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    # replies are buffered until a request ends; the interim 100 must not wait for that
    head = _post(served, b"Content-Length: %d" % len(served.good_body), b"Expect: 100-continue")
    with socket.create_connection(served.address, timeout=5) as sock:
        sock.sendall(head)
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 ")
        sock.sendall(
            served.good_body
            + served.pipelined.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        )
        assert _statuses(_read_to_eof(sock)) == [200, 200]
    _assert_quiet_and_alive(served, capfd)
