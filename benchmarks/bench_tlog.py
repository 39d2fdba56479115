"""Transparency-log figures (issues 3, 17): durable appends/s, proof verification, load, kill -9.

    .venv/bin/python benchmarks/bench_tlog.py [--quick] [--only appends|load|kill] [--json FILE]

1. appends/s, durable (SQLite WAL, synchronous=FULL, acknowledged only after commit), over real
   HTTP on loopback to a ``modelprint log serve`` subprocess, keep-alive connections: one client,
   then 8 concurrent clients (target 2,000/s), each POSTing one entry per request to ``/add``, and
   the same with 64 entries per ``/add-batch`` request; each with the clients of :data:`CLIENTS`
   (httpx, http.client, a raw socket: on two shared cores the client's own cost is part of every
   figure); also the store alone (no HTTP) with the same group commits, to show where time goes;
2. inclusion-proof verification in a tree of 1,000,000 entries (target < 1 ms), with and without
   the checkpoint signature check;
3. a load run of 8 clients x 500 submissions: no 5xx, nothing lost, every entry's proof verifies
   against the final checkpoint (recomputed from the log's tiles) and every acknowledged proof
   verifies against its own checkpoint, which the final one consistently extends;
4. kill -9 mid-load: 8 clients (4 posting single entries, 4 batches of 16) until about a third
   of the way, then SIGKILL the log; after a restart every entry acknowledged before the kill must
   be in the tree and proven (against its own checkpoint and against the new final one).

Each throughput figure is the median of three rounds. The machine is printed first: on a shared
2-core box the numbers move with whatever else runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import Run, describe_machine  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from modelprint.commit.tlog_client import LogClient  # noqa: E402
from modelprint.commit.tlog_store import LogStore, Sequencer  # noqa: E402
from modelprint.protocol.checkpoint import (  # noqa: E402
    Checkpoint,
    NoteSigner,
    open_checkpoint,
    sign_checkpoint,
)
from modelprint.protocol.errors import LogError, ProofError, TransportError  # noqa: E402
from modelprint.protocol.merkle import (  # noqa: E402
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from modelprint.protocol.tiles import HashLevels, TileHasher  # noqa: E402
from modelprint.runtime.keyfiles import load_log_key  # noqa: E402
from tests.servers import LogProcess, start_log  # noqa: E402

PREFIX = b"modelprint/log-entry/v1\x00"


class Entries:
    """Distinct 88-byte log entries, thread-safe."""

    def __init__(self) -> None:
        self._n = random.getrandbits(40) << 20
        self._lock = threading.Lock()

    def next(self) -> bytes:
        with self._lock:
            self._n += 1
            n = self._n
        return PREFIX + n.to_bytes(32, "big") + os.urandom(32)


CLIENTS = ("httpx", "http.client", "socket")
"""The HTTP clients the append rates are measured with: httpx (what modelprint's own LogClient
uses), the standard library's http.client, and a raw keep-alive socket that writes a prepared
request and reads the reply by its Content-Length (wrk-style: the least of the two shared cores
spent on the benchmark's own side, so the figure is closest to the server's)."""


class _RawConnection:
    """One keep-alive HTTP/1.1 connection on a bare socket: POST, then read the whole reply."""

    def __init__(self, url: str, path: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: ".encode()
        self.buffer = b""

    def post(self, body: bytes) -> int:
        self.sock.sendall(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"\r\ncontent-length:", 1)[1].split(b"\r\n", 1)[0])
        while len(self.buffer) < length:
            self.buffer += self._recv()
        self.buffer = self.buffer[length:]
        return int(head.split(b" ", 2)[1])

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the log closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def http_appends(
    log: LogProcess,
    entries: Entries,
    clients: int,
    per_client: int,
    batch: int = 1,
    *,
    client: str = "httpx",
) -> float:
    """Durable appends per second with ``clients`` concurrent HTTP submitters, each sending
    ``batch`` entries per request (1: ``/add``, more: ``/add-batch``) on one keep-alive
    connection of the ``client`` kind (one of :data:`CLIENTS`)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)
    path = "/add" if batch == 1 else "/add-batch"

    def worker() -> None:
        host, port = log.url.removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        raw = _RawConnection(log.url, path) if client == "socket" else None
        with httpx.Client(timeout=60) as session:
            barrier.wait()
            for _ in range(per_client // batch):
                body = b"".join(entries.next() for _ in range(batch))
                if raw is not None:
                    status = raw.post(body)
                elif client == "http.client":
                    conn.request("POST", path, body)
                    reply = conn.getresponse()
                    reply.read()
                    status = reply.status
                else:
                    status = session.post(f"{log.url}{path}", content=body).status_code
                if status != 200:
                    errors.append(RuntimeError(f"HTTP {status}"))
        conn.close()
        if raw is not None:
            raw.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return clients * (per_client // batch) * batch / elapsed


def store_appends(folder: Path, entries: Entries, clients: int, per_client: int) -> float:
    """The same through the store and sequencer in-process (no HTTP)."""
    signer = NoteSigner("bench.test/log", Ed25519PrivateKey.generate())
    store = LogStore(folder / f"store-{clients}-{time.monotonic_ns()}.sqlite", signer)
    seq = Sequencer(store)
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        barrier.wait()
        for _ in range(per_client):
            seq.submit(entries.next())

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    seq.close()
    store.close()
    return clients * per_client / elapsed


def proof_verification(size: int) -> tuple[float, float, float]:
    """Median µs to verify one inclusion proof (and with the checkpoint signature) at ``size``."""
    levels = HashLevels()
    t0 = time.perf_counter()
    for i in range(size):
        levels.append(leaf_hash(i.to_bytes(8, "big")))
    build = time.perf_counter() - t0
    signer = NoteSigner("bench.test/log", Ed25519PrivateKey.generate())
    root = levels.root()
    checkpoint = Checkpoint(signer.name, size, root, ("time 1700000000",))
    note = sign_checkpoint(checkpoint, signer)
    verifiers = [signer.verifier()]
    rng = random.Random(1)
    cases = []
    for _ in range(1000):
        index = rng.randrange(size)
        cases.append(
            (index, levels.subtree(0, index), inclusion_proof(levels.hash_range, index, size))
        )
    plain, signed = [], []
    for index, leaf, path in cases:
        t = time.perf_counter()
        verify_inclusion(leaf, index, size, path, root)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        cp, _ = open_checkpoint(note, verifiers)
        verify_inclusion(leaf, index, cp.size, path, cp.root)
        signed.append(time.perf_counter() - t)
    return statistics.median(plain) * 1e6, statistics.median(signed) * 1e6, build


Ack = tuple[bytes, int, int, list[bytes], bytes]
"""An acknowledged entry: (entry, index, its checkpoint's size, inclusion proof, that root)."""


def unproven(log: LogProcess, acks: list[Ack]) -> tuple[Checkpoint, int]:
    """The log's signed final checkpoint, and how many of ``acks`` it does not prove: each ack's
    proof must verify against its own checkpoint, which the final tree (recomputed from the log's
    tiles) must consistently extend, with the entry at the acknowledged index."""
    with LogClient(log.url) as client:
        final, _ = client.checkpoint(load_log_key(log.pub).verifiers_for(log.origin))
        tiles = TileHasher(client.tile, final.size)
        bad = 0
        for entry, index, size, proof, root in acks:
            try:
                verify_inclusion(leaf_hash(entry), index, size, proof, root)
                consistency = consistency_proof(tiles.hash_range, size, final.size)
                verify_consistency(size, final.size, root, final.root, consistency)
                path = inclusion_proof(tiles.hash_range, index, final.size)
                verify_inclusion(leaf_hash(entry), index, final.size, path, final.root)
            except (ProofError, LogError, TransportError):
                bad += 1
    return final, bad


def load_run(log: LogProcess, clients: int, per_client: int) -> dict[str, object]:
    """``clients`` x ``per_client`` submissions; then check every one against the final state."""
    entries = Entries()
    acks: list[Ack] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        with LogClient(log.url, timeout=60) as client:
            for _ in range(per_client):
                entry = entries.next()
                try:
                    index, cp, _, proof = client.submit_entry(entry)
                    status = 200
                except Exception as exc:  # counted below
                    status = int(str(exc).split("HTTP ")[1][:3]) if "HTTP " in str(exc) else -1
                    index, cp, proof = -1, None, []
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if cp is not None:
                        acks.append((entry, index, cp.size, proof, cp.root))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    final, bad = unproven(log, acks)
    indices = sorted(a[1] for a in acks)
    return {
        "submitted": clients * per_client,
        "acknowledged": len(acks),
        "statuses": statuses,
        "distinct_indices": len(set(indices)),
        "failed_verification": bad,
        "final_size": final.size,
        "seconds": elapsed,
    }


def kill_run(log: LogProcess, clients: int, per_client: int) -> dict[str, object]:
    """Submit from ``clients`` threads, SIGKILL the log after about a third, restart, check."""
    entries = Entries()
    acks: list[Ack] = []
    failed = [0]
    lock = threading.Lock()
    target = clients * per_client // 3

    def worker(batch: int) -> None:
        with LogClient(log.url, timeout=10) as client:
            for _ in range(per_client // batch):
                chunk = [entries.next() for _ in range(batch)]
                try:
                    if batch == 1:
                        placed = [client.submit_entry(chunk[0])]
                    else:
                        placed = client.submit_entries(chunk)
                except (TransportError, LogError):  # the log is gone: stop
                    with lock:
                        failed[0] += len(chunk)
                    return
                with lock:
                    for entry, (index, cp, _, proof) in zip(chunk, placed, strict=True):
                        acks.append((entry, index, cp.size, proof, cp.root))

    threads = [threading.Thread(target=worker, args=(1 if w % 2 else 16,)) for w in range(clients)]
    for t in threads:
        t.start()
    while len(acks) < target and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    log.kill()
    acked_at_kill = len(acks)
    for t in threads:
        t.join()
    log.start()
    final, bad = unproven(log, acks)
    return {
        "acknowledged_before_kill": acked_at_kill,
        "acknowledged": len(acks),
        "refused_or_cut_off": failed[0],
        "final_size": final.size,
        "missing_or_unproven": bad,
    }


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def appends_figures(folder: Path, scale: float) -> list[dict[str, object]]:
    """Print the append rates; return them, one dict a configuration."""
    figures: list[dict[str, object]] = []
    entries = Entries()
    log = start_log(folder / "log", origin="bench.test/log")
    try:
        http_appends(log, entries, 1, 20)  # warm up
        for clients, per_client, batch, client in (
            (1, int(400 * scale), 1, "httpx"),
            (8, int(400 * scale), 1, "httpx"),
            (8, int(400 * scale), 1, "http.client"),
            (1, int(400 * scale), 1, "socket"),
            (8, int(500 * scale), 1, "socket"),
            (1, int(6400 * scale), 64, "httpx"),
            (8, int(3200 * scale), 64, "httpx"),
        ):
            rates = [
                http_appends(log, entries, clients, per_client, batch, client=client)
                for _ in range(3)
            ]
            how = "/add, 1 entry a request" if batch == 1 else f"/add-batch, {batch} a request"
            how += f", {client}"
            print(
                f"appends/s over HTTP, durable, {clients} client(s), {how}: median "
                f"{statistics.median(rates):,.0f} (rounds {', '.join(f'{r:,.0f}' for r in rates)};"
                f" {load()})"
            )
            figures.append(
                {
                    "path": "/add" if batch == 1 else "/add-batch",
                    "client": client,
                    "clients": clients,
                    "batch": batch,
                    "per_second": round(statistics.median(rates), 1),
                    "rounds": [round(r, 1) for r in rates],
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
    finally:
        log.stop()
    for clients, per_client in ((1, int(400 * scale)), (8, int(500 * scale))):
        rates = [store_appends(folder, entries, clients, per_client) for _ in range(3)]
        print(
            f"appends/s in-process store (no HTTP), durable, {clients} submitter(s): median "
            f"{statistics.median(rates):,.0f} ({load()})"
        )
        figures.append(
            {
                "path": "store",
                "client": "in-process",
                "clients": clients,
                "batch": 1,
                "per_second": round(statistics.median(rates), 1),
                "rounds": [round(r, 1) for r in rates],
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    parser.add_argument("--only", choices=("appends", "load", "kill"), help="one part only")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0
    run = Run()
    doc: dict[str, object] = {"quick": args.quick}
    print(f"machine: {describe_machine()}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-tlog-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "appends"):
            doc["appends"] = appends_figures(folder, scale)
            size = 1_000_000 if not args.quick else 100_000
            plain, signed, build = proof_verification(size)
            doc["inclusion_proof"] = {
                "entries": size,
                "median_us": round(plain, 2),
                "with_signature_us": round(signed, 2),
                "tree_build_s": round(build, 1),
            }
            print(
                f"inclusion proof verification at {size:,} entries: median {plain:.1f} µs "
                f"({signed:.1f} µs with checkpoint signature); tree built in {build:.1f} s"
            )
        if args.only in (None, "load"):
            log = start_log(folder / "load", origin="load.test/log")
            try:
                per = 500 if not args.quick else 100
                result = load_run(log, 8, per)
            finally:
                log.stop()
            statuses: dict[int, int] = result["statuses"]  # type: ignore[assignment]
            fivexx = sum(n for s, n in statuses.items() if s >= 500)
            print(
                f"load run 8 x {per}: {result['acknowledged']}/{result['submitted']} acknowledged, "
                f"statuses {statuses}, 5xx {fivexx}, distinct indices "
                f"{result['distinct_indices']}, final tree {result['final_size']}, proofs failing "
                f"against the final checkpoint {result['failed_verification']}, "
                f"{result['seconds']:.1f} s ({load()})"
            )
            doc["load_run"] = {
                "clients": 8,
                "per_client": per,
                "5xx": fivexx,
                **{k: v for k, v in result.items() if k != "statuses"},
                "statuses": {str(k): v for k, v in statuses.items()},
            }
            ok = ok and (
                fivexx == 0
                and result["acknowledged"] == result["submitted"]
                and result["failed_verification"] == 0
                and result["final_size"] == result["submitted"]
            )
        if args.only in (None, "kill"):
            log = start_log(folder / "kill", origin="kill.test/log")
            try:
                per = 480 if not args.quick else 96
                killed = kill_run(log, 8, per)
            finally:
                log.stop()
            print(
                f"kill -9 mid-load (8 clients x {per}): {killed['acknowledged']} acknowledged "
                f"before the kill, {killed['refused_or_cut_off']} cut off; after restart the "
                f"tree holds {killed['final_size']}, acknowledged entries missing or unproven: "
                f"{killed['missing_or_unproven']} ({load()})"
            )
            doc["kill_run"] = {"clients": 8, "per_client": per, **killed}
            ok = ok and killed["missing_or_unproven"] == 0
            ok = ok and killed["final_size"] >= killed["acknowledged"]  # type: ignore[operator]
    doc["ok"] = ok
    run.write(args.json, doc)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
