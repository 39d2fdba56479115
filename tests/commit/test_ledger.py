"""The publisher's ledger of burned fingerprints never loses an entry."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from modelprint.commit.ledger import Ledger, ledger_path
from modelprint.protocol.errors import CommitmentError, DecodeError

ROOT = b"\x11" * 32


def test_ledger_sits_beside_the_fingerprints() -> None:
    assert ledger_path("/x/FP.secret") == Path("/x/FP.secret.ledger")


def test_record_merges_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "FP.secret.ledger"
    assert Ledger.load(path, ROOT).burned() == set()
    Ledger.record(path, ROOT, [3, 1], challenge=b"\x01" * 32, time=5)
    Ledger.record(path, ROOT, [1, 3], challenge=b"\x01" * 32, time=6)
    ledger = Ledger.record(path, ROOT, [3, 9], challenge=b"\x02" * 32, time=7)
    assert ledger.burned() == {1, 3, 9}
    assert len(ledger.entries) == 4
    assert ledger.burned_before(b"\x02" * 32) == {1, 3}
    assert Ledger.load(path, ROOT) == ledger
    assert path.stat().st_mode & 0o077 == 0


def test_concurrent_records_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "L"

    def burn(n: int) -> None:
        Ledger.record(path, ROOT, [n], challenge=bytes([n]) * 32, time=n)

    threads = [threading.Thread(target=burn, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Ledger.load(path, ROOT).burned() == set(range(20))


def test_a_ledger_of_another_set_or_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "L"
    Ledger.record(path, ROOT, [1], challenge=b"\x01" * 32, time=1)
    with pytest.raises(CommitmentError):
        Ledger.load(path, b"\x22" * 32)
    path.write_bytes(b"\x93garbage")
    with pytest.raises(DecodeError):
        Ledger.record(path, ROOT, [2], challenge=b"\x01" * 32, time=1)
    assert path.read_bytes() == b"\x93garbage"  # a bad ledger is never overwritten


def test_commitments_are_remembered_and_old_ledgers_still_read(tmp_path: Path) -> None:
    from modelprint.commit.ledger import LedgerCommitment
    from modelprint.protocol import canonical

    path = tmp_path / "L"
    old = canonical.encode(
        {"kind": "modelprint/ledger", "version": 1, "root": ROOT,
         "entries": [{"index": 1, "challenge": b"\x01" * 32, "time": 1}]}
    )  # fmt: skip
    path.write_bytes(old)  # as written before ledgers knew bundles
    assert Ledger.load(path, ROOT).burned() == {1}
    assert Ledger.load(path, ROOT).to_bytes() == old
    mine = LedgerCommitment(b"\x0b" * 32, b"\x0c" * 32)
    Ledger.register(path, ROOT, mine)
    Ledger.register(path, ROOT, mine)  # once is enough
    ledger = Ledger.record(path, ROOT, [2], challenge=b"\x02" * 32, time=2)
    assert ledger.commitments == (mine,) and ledger.burned() == {1, 2}
    assert ledger.publisher_of(b"\x0b" * 32) == b"\x0c" * 32
    assert ledger.publisher_of(b"\x0d" * 32) is None
    assert Ledger.load(path, ROOT) == ledger
