"""Bad requests against each of our HTTP servers (issue 17): statuses, closed connections, tracebacks.

    .venv/bin/python benchmarks/bench_servers.py [--no-model] [--slow-wait S] [--verbose]
        [--json FILE]

Starts ``modelprint log serve``, ``modelprint witness serve`` and ``modelprint serve`` (a tiny
random Llama written by ``tests.factories.save_tiny``; ``--no-model`` skips it) as subprocesses on
loopback and sends each the same battery of malformed requests, one fresh connection per request,
written as raw bytes: bad, non-ASCII, negative, huge and duplicate ``Content-Length``, chunked
bodies, missing and truncated bodies, deeply nested JSON, invalid UTF-8, wrong methods, unknown
and garbled paths, over-long request lines and header blocks, a GET with a body, a request pipelined
inside the body of a refused (413) one, and a slowloris header block that never ends (the server
must close it by its idle timeout; ``--slow-wait`` bounds the wait, default 70 s).

For each request: the responses read back (framed by their ``Content-Length``) and whether the
server closed the connection. Expected of every case: exactly one 4xx response (none for a body cut
short, where the client has given up) and a closed connection (501 for an unknown method, 505 for HTTP/2.0; a well-framed request whose
content or path is wrong may keep its connection, its body having been read); afterwards the server still answers
a good request, and its stderr holds no traceback (the goal: 0). Prints one row per server and
every case that missed the expectation.
"""

from __future__ import annotations

import argparse
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import Run, describe_machine  # noqa: E402

from modelprint.protocol.timeproof import LOG_ENTRY_SIZE  # noqa: E402

ENTRY = b"modelprint/log-entry/v1\x00" + b"\x07" * (LOG_ENTRY_SIZE - 24)


@dataclass(frozen=True)
class Case:
    """One malformed request: the raw bytes, and whether a reply is due (False: body cut short)."""

    name: str
    data: bytes
    reply_due: bool = True
    half_close: bool = False  # shut down our sending side after the bytes (a client giving up)
    wait: float = 3.0  # seconds to wait for the server after the last byte
    expect: tuple[int, ...] = ()  # the acceptable final statuses; () for any 4xx
    must_close: bool = True  # False: a well-framed request, fully read; keep-alive is fine


@dataclass
class Outcome:
    case: Case
    statuses: list[int]
    closed: bool

    @property
    def as_expected(self) -> bool:
        if self.case.must_close and not self.closed:
            return False
        fits = [
            s in self.case.expect if self.case.expect else 400 <= s < 500 for s in self.statuses
        ]
        if not self.case.reply_due:
            return len(fits) <= 1 and all(fits)
        return fits == [True]


@dataclass
class Target:
    """A server under test: where to POST and GET, and the good request that proves it alive."""

    name: str
    post: str
    get: str
    json_body: bool
    good: bytes
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0
    stderr: Path = field(default_factory=Path)


def request(method: str, path: str, headers: list[str], body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(h + "\r\n" for h in headers)
    return head.encode("latin-1") + b"\r\n" + body


def battery(t: Target, slow_wait: float) -> list[Case]:
    """The malformed requests for ``t`` (its POST path takes a body; its GET path none)."""
    p, g = t.post, t.get
    body = b'{"messages": [{"role": "user", "content": "hi"}]}' if t.json_body else ENTRY

    def post(headers: list[str], data: bytes = b"") -> bytes:
        return request("POST", p, headers, data)

    deep = b"[" * 20_000 + b"]" * 20_000 if t.json_body else b"[" * 3000
    cases = [
        Case("Content-Length not digits", post(["Content-Length: abc"], body)),
        Case(
            "Content-Length non-ASCII digits",
            request("POST", p, []).replace(
                b"\r\n\r\n", b"\r\nContent-Length: \xc2\xb2\xc2\xb3\r\n\r\n"
            )
            + body,
        ),
        Case("Content-Length negative", post(["Content-Length: -1"], body)),
        Case("Content-Length plus sign", post([f"Content-Length: +{len(body)}"], body)),
        Case("Content-Length hex", post(["Content-Length: 0x10"], body)),
        Case("Content-Length 30 digits", post(["Content-Length: " + "9" * 30], body)),
        Case("Content-Length 10^9 (413)", post(["Content-Length: 1000000000"], body)),
        Case(
            "Content-Length twice, differing",
            post([f"Content-Length: {len(body)}", f"Content-Length: {len(body) + 1}"], body),
        ),
        Case("Content-Length empty", post(["Content-Length: "], body)),
        Case(
            "Transfer-Encoding chunked",
            post(["Transfer-Encoding: chunked"], b"5\r\nhello\r\n0\r\n\r\n"),
        ),
        Case(
            "chunked and Content-Length",
            post(["Transfer-Encoding: chunked", f"Content-Length: {len(body)}"], body),
        ),
        Case("no body, no Content-Length", post([])),
        Case(
            "body cut short",
            post([f"Content-Length: {len(body) + 50}"], body),
            reply_due=False,
            half_close=True,
        ),
        Case("deeply nested JSON", post([f"Content-Length: {len(deep)}"], deep), must_close=False),
        Case("invalid UTF-8 body", post(["Content-Length: 4"], b"\xff\xfe{}"), must_close=False),
        Case("empty body", post(["Content-Length: 0"]), must_close=False),
        Case("GET with a body", request("GET", g, ["Content-Length: 5"], b"hello")),
        Case("GET chunked", request("GET", g, ["Transfer-Encoding: chunked"], b"0\r\n\r\n")),
        *(
            Case(f"method {m}", request(m, p, ["Content-Length: 0"]))
            for m in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
        ),
        Case("unknown method BREW", request("BREW", p, ["Content-Length: 0"]), expect=(501,)),
        Case("unknown path GET", request("GET", "/no/such/thing", []), must_close=False),
        Case("unknown path POST", request("POST", "/nope", [f"Content-Length: {len(body)}"], body)),
        Case("path traversal", request("GET", "/../../etc/passwd", []), must_close=False),
        Case("non-ASCII path", b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", must_close=False),
        Case("absolute-form URL", request("GET", "http://x.test/nope", []), must_close=False),
        Case("request line garbage", b"\x00\x01\x02\x03 garbage\r\n\r\n"),
        Case("HTTP/0.9 request", b"GET " + g.encode() + b"\r\n"),
        Case("HTTP/2.0 version", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", expect=(505,)),
        Case("request line 100 KB", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n"),
        Case("header line 100 KB", request("GET", g, ["X-Big: " + "a" * 100_000])),
        Case("1,000 headers", request("GET", g, [f"X-{i}: v" for i in range(1000)])),
        Case("header without colon", request("GET", g, ["NoColonHere"])),
        Case("obsolete line folding", request("GET", g, ["X-Fold: a", " b"])),
        Case("NUL in a header", request("GET", g, ["X-Nul: a\x00b"])),
        Case(
            "Expect 100-continue, 10^9 bytes",
            post(["Content-Length: 1000000000", "Expect: 100-continue"]),
        ),
        Case(
            "pipelined request after a 413",
            post(["Content-Length: 1000000000"], request("GET", g, []) * 3),
        ),
        Case(
            "pipelined garbage after a 400",
            post(["Content-Length: abc"], b"\x00garbage\r\n\r\n" + request("GET", g, [])),
        ),
        Case(
            "slowloris: a header block that never ends",
            request("POST", p, []).removesuffix(b"\r\n") + b"X-Slow: 1\r\n",
            reply_due=False,
            wait=slow_wait,
        ),
    ]
    return cases


def read_responses(data: bytes) -> list[int]:
    """Final status codes of the responses in ``data``, framed by Content-Length (the rest
    ignored); interim 1xx responses (``100 Continue``) carry no body and are not counted."""
    statuses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not sep or match is None:
            break
        if match.group(1).startswith(b"1"):
            data = rest
            continue
        statuses.append(int(match.group(1)))
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        data = rest[int(length.group(1)) if length else len(rest) :]
    return statuses


def send(port: int, case: Case) -> Outcome:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(case.data)
            if case.half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server refused early and closed: what it sent is still readable
            pass
        received, closed = b"", False
        deadline = time.monotonic() + case.wait
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                break
            try:
                chunk = sock.recv(65536)
            except OSError:  # reset
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    return Outcome(case, read_responses(received), closed)


def alive(t: Target) -> bool:
    """Whether the server still answers a good request with a 2xx."""
    try:
        with socket.create_connection(("127.0.0.1", t.port), timeout=30) as sock:
            sock.sendall(t.good)
            data = b""
            while not re.match(rb"HTTP/1\.[01] \d{3}", data) and len(data) < 20:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data[9:10] == b"2"
    except OSError:
        return False


def start(t: Target, cmd: list[str], folder: Path, timeout: float = 120.0) -> None:
    """Run ``cmd`` with stderr to a file and wait for the URL it says it serves at."""
    t.stderr = folder / f"{t.name.split()[0]}.stderr"
    with t.stderr.open("wb") as err:
        t.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:(\d+)", t.stderr.read_text(errors="replace"))
        if found:
            t.port = int(found.group(1))
            return
        if t.proc.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"{t.name} did not start: {t.stderr.read_text(errors='replace')}")


def modelprint(*args: str) -> list[str]:
    return [sys.executable, "-m", "modelprint", *args]


def targets(folder: Path, with_model: bool) -> list[tuple[Target, list[str]]]:
    run = lambda *a: subprocess.run(modelprint(*a), check=True, capture_output=True)  # noqa: E731
    run("log", "keygen", "--out", str(folder / "LOG.key"), "--origin", "bench.test/log")
    run("witness", "keygen", "--out", str(folder / "W.key"), "--name", "bench.test/witness")
    host = ["--host", "127.0.0.1", "--port", "0"]
    good_add = request("POST", "/add", [f"Content-Length: {len(ENTRY)}"], ENTRY)
    out = [
        (
            Target("log serve", "/add", "/checkpoint", False, good_add),
            modelprint(
                "log",
                "serve",
                "--db",
                str(folder / "log.sqlite"),
                "--key",
                str(folder / "LOG.key"),
                "--origin",
                "bench.test/log",
                *host,
            ),
        ),
        (
            Target(
                "witness serve", "/add-checkpoint", "/", False, b""
            ),  # good: set once the log runs
            modelprint(
                "witness",
                "serve",
                "--key",
                str(folder / "W.key"),
                "--log-key",
                str(folder / "LOG.pub"),
                *host,
            ),
        ),
    ]
    if with_model:
        from tests.factories import save_tiny

        model = save_tiny(folder / "tiny")
        chat = b'{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}'
        good = request("POST", "/v1/chat/completions", [f"Content-Length: {len(chat)}"], chat)
        out.append(
            (
                Target(
                    "modelprint serve (tiny model)",
                    "/v1/chat/completions",
                    "/v1/models",
                    True,
                    good,
                ),
                modelprint("serve", "--model", str(model), *host),
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-model", action="store_true", help="skip modelprint serve")
    parser.add_argument("--slow-wait", type=float, default=70.0, help="slowloris wait (s)")
    parser.add_argument("--verbose", action="store_true", help="print every case's outcome")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    print(f"machine: {describe_machine()}")
    results: dict[str, tuple[list[Outcome], bool, int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as tmp:
        folder = Path(tmp)
        servers = targets(folder, not args.no_model)
        for t, cmd in servers:
            start(t, cmd, folder)
        log, witness = servers[0][0], servers[1][0]
        with urllib.request.urlopen(f"http://127.0.0.1:{log.port}/checkpoint") as reply:
            cosign = b"old 0\n\n" + reply.read()  # the log's empty tree: nothing to prove
        witness.good = request(
            "POST", "/add-checkpoint", [f"Content-Length: {len(cosign)}"], cosign
        )

        def attack(t: Target) -> None:
            cases = battery(t, args.slow_wait)
            slow = [c for c in cases if c.wait > 10]
            with_slow: list[Outcome] = []
            side = threading.Thread(target=lambda: with_slow.extend(send(t.port, c) for c in slow))
            side.start()
            outcomes = [send(t.port, c) for c in cases if c.wait <= 10]
            side.join()
            ok = alive(t)
            assert t.proc is not None
            t.proc.terminate()
            t.proc.wait(timeout=30)
            text = t.stderr.read_text(errors="replace")
            results[t.name] = (outcomes + with_slow, ok, text.count("Traceback"))

        threads = [threading.Thread(target=attack, args=(t,)) for t, _ in servers]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stderr_text = {t.name: t.stderr.read_text(errors="replace") for t, _ in servers}
    if args.no_model:
        print("modelprint serve: skipped (--no-model)")
    ok = True
    servers_doc: list[dict[str, object]] = []
    header = "server | requests | responses by status | closed by server | tracebacks | alive after"
    print(header)
    print("-" * len(header))
    for name, (outcomes, live, tracebacks) in results.items():
        statuses: Counter[int] = Counter(s for o in outcomes for s in o.statuses)
        closed = sum(o.closed for o in outcomes)
        by_status = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        no_reply = sum(not o.statuses for o in outcomes)
        print(
            f"{name} | {len(outcomes)} | {by_status}, none: {no_reply} | {closed}/{len(outcomes)} "
            f"| {tracebacks} | {'yes' if live else 'NO'}"
        )
        missed = [o for o in outcomes if not o.as_expected]
        for o in outcomes if args.verbose else missed:
            mark = "ok  " if o.as_expected else "MISS"
            print(f"    {mark} {o.case.name}: statuses {o.statuses}, closed {o.closed}")
        if tracebacks and args.verbose:
            print(stderr_text[name])
        ok = ok and live and not tracebacks and not missed
        servers_doc.append(
            {
                "server": name,
                "requests": len(outcomes),
                "statuses": {str(s): n for s, n in sorted(statuses.items())},
                "no_reply": no_reply,
                "closed": closed,
                "tracebacks": tracebacks,
                "alive_after": live,
                "missed": [o.case.name for o in missed],
            }
        )
    run.write(args.json, {"servers": servers_doc, "model_skipped": args.no_model, "ok": ok})
    print(f"done ({describe_machine().rsplit(', ', 1)[-1]})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
