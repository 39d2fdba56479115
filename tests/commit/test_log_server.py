"""The transparency log as a real HTTP server on loopback: concurrency, kill -9, bad requests."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from modelprint.commit.tlog_client import LogClient
from modelprint.protocol.checkpoint import NoteVerifier
from modelprint.protocol.errors import LogError, TransportError
from modelprint.protocol.merkle import leaf_hash, verify_consistency, verify_inclusion
from modelprint.protocol.records import Bundle
from modelprint.protocol.tiles import TileHasher, decode_entry_bundle, tile_path
from modelprint.protocol.timeproof import LOG_ENTRY_SIZE, log_entry
from modelprint.runtime.keyfiles import load_log_key
from tests.servers import LogProcess, start_log


def _verifier(log: LogProcess) -> list[NoteVerifier]:
    key = load_log_key(log.pub)
    assert key.name == log.origin
    return [NoteVerifier(key.name, key.public_key)]


def _entry(i: int) -> bytes:
    return b"modelprint/log-entry/v1\x00" + i.to_bytes(4, "big") * 16


@pytest.fixture
def fresh_log(tmp_path: Path) -> LogProcess:
    log = start_log(tmp_path / "log")
    yield log  # type: ignore[misc]
    log.stop()


def test_concurrent_submitters_all_land_and_survive_kill_9(fresh_log: LogProcess) -> None:
    verifiers = _verifier(fresh_log)
    results: dict[int, tuple[int, list[bytes], int]] = {}
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            with LogClient(fresh_log.url) as client:
                for j in range(15):
                    i = w * 100 + j
                    index, cp, _, proof = client.submit_entry(_entry(i), verifiers=verifiers)
                    results[i] = (index, proof, cp.size)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(results) == 90
    assert sorted(r[0] for r in results.values()) == list(range(90))  # no gaps, no duplicates

    fresh_log.kill()  # SIGKILL: acknowledged entries must already be durable
    fresh_log.start()
    with LogClient(fresh_log.url) as client:
        checkpoint, _ = client.checkpoint(verifiers)
        assert checkpoint.size == 90
        tiles = TileHasher(client.tile, checkpoint.size)
        for i, (index, proof, size) in results.items():
            # each acknowledged proof verifies against its own checkpoint's root, which is a
            # prefix of the final tree (consistency), and the leaf is where the log said
            old_root = tiles.hash_range(0, size)
            verify_inclusion(leaf_hash(_entry(i)), index, size, proof, old_root)
            proof_new = client.consistency_proof(size, checkpoint.size)
            verify_consistency(size, checkpoint.size, old_root, checkpoint.root, proof_new)
        entries = decode_entry_bundle(client._get(tile_path("entries", 0, 90)))
        assert sorted(entries) == sorted(_entry(i) for i in results)
        # resubmitting is idempotent: same index, no new entry
        index, cp, _, _ = client.submit_entry(_entry(0), verifiers=verifiers)
        assert index == results[0][0] and cp.size == 90


def test_malformed_requests_get_4xx_and_change_nothing(log_server: LogProcess) -> None:
    with LogClient(log_server.url) as client:
        before, _ = client.checkpoint(_verifier(log_server))
    url = log_server.url
    with httpx.Client(timeout=10) as http:
        assert http.post(f"{url}/add", content=b"garbage").status_code == 400
        assert http.post(f"{url}/add", content=b"x" * LOG_ENTRY_SIZE).status_code == 400
        assert http.post(f"{url}/add", content=b"x" * 10_000).status_code == 413
        assert http.post(f"{url}/nope", content=b"x").status_code == 404
        assert http.get(f"{url}/tile/0/abc").status_code == 400
        assert http.get(f"{url}/tile/0/x000/000").status_code == 400
        assert http.get(f"{url}/tile/0/999").status_code == 404
        assert http.get(f"{url}/tile/entries/000.p/255").status_code == 404
        assert http.get(f"{url}/elsewhere").status_code == 404
        assert http.put(f"{url}/add", content=b"x").status_code == 405
        chunked = http.post(f"{url}/add", content=iter([b"abc"]))
        assert chunked.status_code == 411
    with LogClient(log_server.url) as client:
        after, _ = client.checkpoint(_verifier(log_server))
    assert after.size == before.size and after.root == before.root


def test_publish_verifies_and_stores_proof(
    log_server: LogProcess, make_bundle: Callable[[], Bundle]
) -> None:
    bundle = make_bundle()
    with LogClient(log_server.url) as client:
        proof = client.submit(bundle, verifiers=_verifier(log_server))
    cp = proof.unverified_checkpoint()
    verify_inclusion(leaf_hash(log_entry(bundle)), proof.index, cp.size, proof.inclusion_proof,
                     cp.root)  # fmt: skip
    assert proof.url == log_server.url and cp.time is not None


def test_client_rejects_a_lying_log(make_bundle: Callable[[], Bundle]) -> None:
    """A log whose inclusion proof does not lead to its checkpoint root is caught at submit."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from modelprint.protocol.checkpoint import Checkpoint, NoteSigner, sign_checkpoint

    signer = NoteSigner("liar.test/log", Ed25519PrivateKey.generate())
    note = sign_checkpoint(Checkpoint("liar.test/log", 2, b"\x05" * 32, ("time 1",)), signer)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={
            "index": 0, "tree_size": 2, "checkpoint": note.decode(),
            "inclusion_proof": [base64.b64encode(b"\x09" * 32).decode()],
        })  # fmt: skip

    transport = httpx.MockTransport(handler)
    with LogClient("http://liar.test", transport=transport) as client, pytest.raises(LogError):
        client.submit(make_bundle(), verifiers=[signer.verifier()])

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{not json")

    transport = httpx.MockTransport(garbage)
    with (
        LogClient("http://liar.test", transport=transport) as client,
        pytest.raises(TransportError),
    ):
        client.submit(make_bundle())

    def error(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=b"boom")

    transport = httpx.MockTransport(error)
    with (
        LogClient("http://liar.test", transport=transport) as client,
        pytest.raises(TransportError),
    ):
        client.submit(make_bundle())


def test_log_refuses_to_serve_a_database_inconsistent_with_its_checkpoints(
    tmp_path: Path,
) -> None:
    log = start_log(tmp_path / "log")
    try:
        with LogClient(log.url) as client:
            for i in range(3):
                client.submit_entry(_entry(i))
    finally:
        log.kill()
    db = sqlite3.connect(log.db)
    new = _entry(99)
    db.execute("UPDATE entries SET data = ?, leaf = ? WHERE idx = 1", (new, leaf_hash(new)))
    db.commit()
    db.close()
    done = subprocess.run(
        [sys.executable, "-m", "modelprint", "log", "serve", "--db", str(log.db), "--key",
         str(log.key), "--origin", log.origin, "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "inconsistent" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_log_refuses_a_database_of_another_key(tmp_path: Path) -> None:
    log = start_log(tmp_path / "a")
    log.stop()
    other = start_log(tmp_path / "b")
    other.stop()
    done = subprocess.run(
        [sys.executable, "-m", "modelprint", "log", "serve", "--db", str(log.db), "--key",
         str(other.key), "--origin", other.origin, "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and "another log" in done.stderr


def test_a_batch_is_acknowledged_entry_by_entry_and_survives_kill_9(fresh_log: LogProcess) -> None:
    verifiers = _verifier(fresh_log)
    first = [_entry(i) for i in range(300)]  # more than one request's worth (MAX_BATCH)
    with LogClient(fresh_log.url) as client:
        client.submit_entry(_entry(1000))
        placed = client.submit_entries(first, verifiers=verifiers)
        # an entry already logged keeps its index, in a batch as on its own
        again = client.submit_entries([_entry(1000), _entry(5), _entry(1001)])
    assert [p[0] for p in placed] == list(range(1, 301))
    assert [p[0] for p in again] == [0, 6, 301]
    fresh_log.kill()
    fresh_log.start()
    with LogClient(fresh_log.url) as client:
        final, _ = client.checkpoint(verifiers)
        assert final.size == 302
        tiles = TileHasher(client.tile, final.size)
        for entry, (index, cp, _, proof) in zip(first, placed, strict=True):
            verify_inclusion(leaf_hash(entry), index, cp.size, proof, cp.root)
            assert tiles.hash_range(0, cp.size) == cp.root


def test_malformed_batches_get_4xx_and_append_nothing(log_server: LogProcess) -> None:
    with LogClient(log_server.url) as client:
        before, _ = client.checkpoint(_verifier(log_server))
    url = f"{log_server.url}/add-batch"
    good = _entry(7_000_000)
    with httpx.Client(timeout=10) as http:
        assert http.post(url, content=b"").status_code == 400
        assert http.post(url, content=good + b"x").status_code == 400
        assert http.post(url, content=good + b"x" * LOG_ENTRY_SIZE).status_code == 400
        assert http.post(url, content=good * 257).status_code == 413
    with LogClient(log_server.url) as client:
        after, _ = client.checkpoint(_verifier(log_server))
    assert after.size == before.size and after.root == before.root


def test_client_rejects_a_batch_reply_that_does_not_prove_every_entry() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from modelprint.protocol.checkpoint import Checkpoint, NoteSigner, sign_checkpoint
    from modelprint.protocol.merkle import node_hash

    signer = NoteSigner("liar.test/log", Ed25519PrivateKey.generate())
    a, b = leaf_hash(_entry(1)), leaf_hash(_entry(2))
    note = sign_checkpoint(Checkpoint("liar.test/log", 2, node_hash(a, b), ()), signer).decode()
    proof_a = [base64.b64encode(b).decode()]
    replies = {
        "second entry unproven": {"tree_size": 2, "checkpoint": note, "entries": [
            {"index": 0, "inclusion_proof": proof_a}, {"index": 1, "inclusion_proof": proof_a}]},
        "one item short": {"tree_size": 2, "checkpoint": note, "entries": [
            {"index": 0, "inclusion_proof": proof_a}]},
        "negative index": {"tree_size": 2, "checkpoint": note, "entries": [
            {"index": -1, "inclusion_proof": proof_a}, {"index": 1, "inclusion_proof": []}]},
        "not an object": [1, 2],
    }  # fmt: skip
    for why, reply in replies.items():
        transport = httpx.MockTransport(lambda _r, reply=reply: httpx.Response(200, json=reply))
        client = LogClient("http://liar.test", transport=transport)
        with client, pytest.raises((LogError, TransportError)):
            client.submit_entries([_entry(1), _entry(2)], verifiers=[signer.verifier()])
            pytest.fail(why)


def test_sequencer_commits_each_request_whole_and_groups_concurrent_ones(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from modelprint.commit.tlog_store import AppendResult, LogStore, Sequencer
    from modelprint.protocol.checkpoint import NoteSigner

    store = LogStore(
        tmp_path / "log.sqlite", NoteSigner("seq.test/log", Ed25519PrivateKey.generate())
    )
    sequencer = Sequencer(store, max_batch=64)
    replies: list[list[AppendResult]] = []

    def submit(w: int) -> None:
        for j in range(5):
            batch = [_entry(10_000 * w + 100 * j + k) for k in range(1 + (w + j) % 40)]
            replies.append(sequencer.submit_many(batch))

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(8)]
    with store._lock:  # hold the writer inside its first commit while the others queue up
        threads[0].start()
        time.sleep(0.3)  # the writer takes thread 0's first request and waits for the lock
        for t in threads[1:]:
            t.start()
        deadline = time.monotonic() + 20  # (each submitter waits at most 30 s)
        while sequencer._queue.qsize() < 7 and time.monotonic() < deadline:
            time.sleep(0.01)
    for t in threads:
        t.join(timeout=120)
    sequencer.close()
    try:
        indices = sorted(r.index for reply in replies for r in reply)
        assert indices == list(range(len(indices))) and len(replies) == 40
        for reply in replies:  # one checkpoint per request, its entries side by side
            assert len({r.checkpoint for r in reply}) == 1
            assert [r.index for r in reply] == list(range(reply[0].index, reply[-1].index + 1))
        sizes = Counter(reply[0].checkpoint.size for reply in replies)
        assert max(sizes.values()) >= 7  # the requests queued behind one commit went in the next
    finally:
        store.close()


def test_sequencer_fills_commits_with_returning_submitters_and_never_holds_a_lone_one(
    tmp_path: Path,
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from modelprint.commit.tlog_store import LogStore, Sequencer
    from modelprint.protocol.checkpoint import NoteSigner

    store = LogStore(
        tmp_path / "log.sqlite", NoteSigner("seq.test/log", Ed25519PrivateKey.generate())
    )
    sizes: list[int] = []
    append = store.append_batch

    def counted(entries):  # type: ignore[no-untyped-def]
        sizes.append(len(entries))
        return append(entries)

    store.append_batch = counted  # type: ignore[method-assign]
    try:
        # one submitter: each commit holds its one entry, and no commit waits out the linger
        lone = Sequencer(store, linger=0.5)
        start = time.monotonic()
        for j in range(10):
            lone.submit(_entry(j))
        assert time.monotonic() - start < 2.5 and sizes == [1] * 10
        lone.close()
        # 8 submitters that come back as soon as they are acknowledged: full commits
        sizes.clear()
        sequencer = Sequencer(store, linger=0.5)

        def submit(w: int) -> None:
            for j in range(20):
                sequencer.submit(_entry(1000 * (w + 1) + j))

        threads = [threading.Thread(target=submit, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        sequencer.close()
        assert sum(sizes) == 160
        assert len(sizes) <= 30, sizes  # without waiting for the expected batch: ~50-80 commits
        assert store.checkpoint[0].size == 170
    finally:
        store.close()


def test_log_serve_stops_on_sigterm_with_exit_0_and_a_clean_stderr(tmp_path: Path) -> None:
    log = start_log(tmp_path / "log")
    with LogClient(log.url) as client:
        index, *_ = client.submit_entry(_entry(7), verifiers=_verifier(log))
    idle = httpx.Client(timeout=10)  # a keep-alive connection left open across the stop
    assert idle.get(f"{log.url}/checkpoint").status_code == 200
    assert log.proc is not None and log.proc.stderr is not None
    log.proc.terminate()
    assert log.proc.wait(timeout=15) == 0
    err = log.proc.stderr.read().decode()
    idle.close()
    assert err == "", err
    log.start()  # the entry is there after the restart
    try:
        size = httpx.get(f"{log.url}/checkpoint", timeout=10).text.splitlines()[1]
        assert index == 0 and int(size) == 1
    finally:
        log.stop()


def test_sequencer_drops_a_submission_cancelled_before_its_commit(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from modelprint.commit.tlog_store import LogStore, Sequencer
    from modelprint.protocol.checkpoint import NoteSigner

    store = LogStore(
        tmp_path / "log.sqlite", NoteSigner("seq.test/log", Ed25519PrivateKey.generate())
    )
    sequencer = Sequencer(store)
    try:
        with store._lock:  # the writer takes the first and waits inside its commit
            first = sequencer.enqueue([_entry(1)])
            time.sleep(0.2)
            gone = sequencer.enqueue([_entry(2)])  # a client that went away while it queued
            assert gone.cancel()
        assert first.result(10)[0].index == 0
        after = sequencer.enqueue([_entry(3)]).result(10)  # the writer still serves
        assert after[0].index == 1 and store.checkpoint[0].size == 2
    finally:
        sequencer.close()
        store.close()
