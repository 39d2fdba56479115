"""Witnesses on loopback: a log without time lines, cosigned by two real witness servers; time from
a quorum of pinned witnesses in check, chain verify and the Python API; forged, misplaced and
unpinned cosignatures; a witness refusing a split view."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from modelprint.cli import main
from modelprint.commit.publish import add_evidence
from modelprint.commit.tlog_store import LogStore
from modelprint.commit.witness_client import WitnessClient
from modelprint.protocol.checkpoint import NoteSignature, SignedNote, parse_checkpoint
from modelprint.protocol.cosignature import AddCheckpoint
from modelprint.protocol.errors import TransportError
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import LogProof, log_entry
from modelprint.protocol.trust import assess
from modelprint.runtime.documents import save_bundle
from modelprint.runtime.keyfiles import load_log_signer, load_trust_policy, load_witness_key
from tests.servers import LogProcess, TSAServer, WitnessProcess, start_log, start_witness


@dataclass
class Witnessed:
    log: LogProcess
    w1: WitnessProcess
    w2: WitnessProcess
    outsider: Path  # W.pub of a witness that never cosigned anything


@pytest.fixture(scope="module")
def witnessed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Witnessed]:
    root = tmp_path_factory.mktemp("witnessed")
    log = start_log(root / "log", start=False)
    w1 = start_witness(root / "w1", "witness.test/w1", [log.pub])
    w2 = start_witness(root / "w2", "witness.test/w2", [log.pub])
    outsider = start_witness(root / "w3", "witness.test/w3", [log.pub])
    outsider.stop()
    log.args = [
        "--no-time-line",
        "--witness",
        f"{w1.url}={w1.pub}",
        "--witness",
        f"{w2.url}={w2.pub}",
    ]
    log.start()
    try:
        yield Witnessed(log, w1, w2, outsider.pub)
    finally:
        for server in (log, w1, w2):
            server.stop()


@pytest.fixture
def logged(witnessed: Witnessed, make_bundle: Callable[[], Bundle]) -> Bundle:
    return add_evidence(make_bundle(), log=witnessed.log.url)


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _pins(w: Witnessed) -> list[object]:
    return ["--trust-witness", w.w1.pub, "--trust-witness", w.w2.pub]


def _lines(bundle: Bundle) -> tuple[SignedNote, list[NoteSignature]]:
    note = SignedNote.from_bytes(LogProof.from_value(bundle.log_proofs[0]).checkpoint)
    return note, list(note.signatures)


def _with_lines(bundle: Bundle, lines: list[NoteSignature]) -> Bundle:
    proof = LogProof.from_value(bundle.log_proofs[0])
    note = SignedNote(SignedNote.from_bytes(proof.checkpoint).text, tuple(lines))
    damaged = replace(proof, checkpoint=note.to_bytes())
    return bundle.with_evidence(log_proofs=(damaged.to_value(),))


def test_the_log_serves_checkpoints_without_time_and_with_both_cosignatures(
    witnessed: Witnessed, logged: Bundle
) -> None:
    checkpoint, note = parse_checkpoint(LogProof.from_value(logged.log_proofs[0]).checkpoint)
    assert checkpoint.time is None and checkpoint.extensions == ()
    names = [s.name for s in note.signatures]
    assert names == [witnessed.log.origin, "witness.test/w1", "witness.test/w2"]
    served = httpx.get(f"{witnessed.log.url}/checkpoint").content
    assert [s.name for s in SignedNote.from_bytes(served).signatures] == names


def test_time_from_a_quorum_of_two_witnesses_passes_check_and_chain_verify(
    tmp_path: Path, witnessed: Witnessed, logged: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "M.bundle"
    save_bundle(path, logged)
    code, out, err = _run(capsys, "check", path, *_pins(witnessed), "--witness-quorum", 2, "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["verdict"] == "valid" and info["proven_by"]["kind"] == "witness"
    assert [e["kind"] for e in info["evidence"]] == ["log", "witness", "witness"]
    code, out, err = _run(capsys, "check", path, *_pins(witnessed))  # default quorum: all
    assert code == 0 and "2 of 2 witnesses cosigned log" in out, err
    code, _, err = _run(capsys, "chain", "verify", path, *_pins(witnessed))
    assert code == 0, err
    code, _, err = _run(capsys, "chain", "verify", path)  # nothing pinned: no trusted time
    assert code == 1
    policy = load_trust_policy(trust_witnesses=[witnessed.w1.pub, witnessed.w2.pub])
    report = assess(logged, policy)
    _, lines = _lines(logged)
    stamps = [load_witness_key(w.pub).verifier.verify(_lines(logged)[0].text, s)
              for w, s in zip((witnessed.w1, witnessed.w2), lines[1:], strict=True)]  # fmt: skip
    assert report.time == max(stamps)


def test_one_valid_cosignature_of_a_quorum_of_two_fails(
    tmp_path: Path, witnessed: Witnessed, logged: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "M.bundle"
    save_bundle(path, logged)
    pins = ["--trust-witness", witnessed.w1.pub, "--trust-witness", witnessed.outsider]
    code, out, _ = _run(capsys, "check", path, *pins, "--witness-quorum", 2, "--json")
    assert code == 1 and "1 of the pinned witnesses" in " ".join(json.loads(out)["problems"])
    code, _, err = _run(capsys, "check", path, *pins, "--witness-quorum", 1)
    assert code == 0, err  # w2's line is not pinned here, so it is ignored
    code, _, err = _run(capsys, "chain", "verify", path, *pins, "--witness-quorum", 2)
    assert code == 1


def test_a_forged_cosignature_fails_and_voids_the_time(
    tmp_path: Path, witnessed: Witnessed, logged: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lines = _lines(logged)
    sig = bytearray(lines[2].signature)
    sig[-1] ^= 1
    lines[2] = replace(lines[2], signature=bytes(sig))
    path = tmp_path / "M.bundle"
    save_bundle(path, _with_lines(logged, lines))
    code, out, _ = _run(capsys, "check", path, *_pins(witnessed), "--json")
    info = json.loads(out)
    assert code == 1 and info["verdict"] == "rejected"
    assert [e["status"] for e in info["evidence"] if e["kind"] == "witness"] == [
        "trusted",
        "invalid",
    ]
    code, _, _ = _run(capsys, "check", path, *_pins(witnessed), "--witness-quorum", 1)
    assert code == 1  # invalid evidence of a pinned witness voids the time


def test_a_cosignature_taken_from_another_checkpoint_fails(
    tmp_path: Path,
    witnessed: Witnessed,
    logged: Bundle,
    make_bundle: Callable[[], Bundle],
    capsys: pytest.CaptureFixture[str],
) -> None:
    later = add_evidence(make_bundle(), log=witnessed.log.url)
    _, lines = _lines(logged)
    lines[2] = _lines(later)[1][2]
    path = tmp_path / "M.bundle"
    save_bundle(path, _with_lines(logged, lines))
    code, out, _ = _run(capsys, "check", path, *_pins(witnessed))
    assert code == 1 and "cosignature by witness witness.test/w2 does not verify" in out


def test_a_log_pin_alone_proves_no_time_but_a_timestamp_does(
    tmp_path: Path,
    witnessed: Witnessed,
    logged: Bundle,
    tsa_server: TSAServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "M.bundle"
    save_bundle(path, logged)
    code, out, _ = _run(capsys, "check", path, "--trust-log", witnessed.log.pub)
    assert code == 1 and "no time line" in out
    save_bundle(path, add_evidence(logged, tsa=tsa_server.url))
    pins = ["--trust-log", witnessed.log.pub, "--trust-tsa", tsa_server.root_cert]
    code, out, err = _run(capsys, "check", path, *pins, "--json")
    assert code == 0, err
    assert json.loads(out)["proven_by"]["kind"] == "tsa"


def test_a_witness_refuses_a_split_view_an_unknown_log_and_a_forged_checkpoint(
    tmp_path: Path, witnessed: Witnessed, logged: Bundle
) -> None:
    log = witnessed.log
    signer = load_log_signer(log.key, log.origin)
    cosigned = parse_checkpoint(httpx.get(f"{log.url}/checkpoint").content)[0]
    fork = LogStore(tmp_path / "fork.sqlite", signer, time_line=False)  # same key, other entries
    fork.append_batch([bytes([i]) * 88 for i in range(cosigned.size + 1)])
    forked, note = fork.checkpoint
    proof = tuple(fork.consistency_proof(cosigned.size, forked.size))
    client = WitnessClient(witnessed.w1.url, load_witness_key(witnessed.w1.pub).verifier)
    try:
        with pytest.raises(TransportError, match="HTTP 422"):
            client.add_checkpoint(AddCheckpoint(cosigned.size, proof, note))
        stranger = LogStore(
            tmp_path / "s.sqlite", replace(signer, name="stranger.test/log"), time_line=False
        )
        with pytest.raises(TransportError, match="HTTP 404"):
            client.add_checkpoint(AddCheckpoint(0, (), stranger.checkpoint[1]))
        rogue = load_log_signer(witnessed.w1.key, log.origin)  # a key the witness does not trust
        other = LogStore(tmp_path / "r.sqlite", rogue, time_line=False)
        other.append_batch([log_entry(logged)])
        with pytest.raises(TransportError, match="HTTP 403"):
            client.add_checkpoint(AddCheckpoint(cosigned.size, (), other.checkpoint[1]))
    finally:
        client.close()
        fork.close()
    after = parse_checkpoint(httpx.get(f"{log.url}/checkpoint").content)[0]
    assert after.root == cosigned.root or after.size > cosigned.size  # the real log goes on


def test_restarted_log_and_witness_pick_up_where_they_were(
    witnessed: Witnessed, make_bundle: Callable[[], Bundle]
) -> None:
    witnessed.log.restart()  # forgets the witnesses' sizes: learns them again from a 409
    witnessed.w1.restart()  # keeps what it cosigned in its state file
    bundle = add_evidence(make_bundle(), log=witnessed.log.url)
    policy = load_trust_policy(trust_witnesses=[witnessed.w1.pub, witnessed.w2.pub])
    assert assess(bundle, policy).time is not None


def test_a_witness_key_and_a_log_key_swapped_are_one_line_errors_naming_the_file(
    tmp_path: Path, witnessed: Witnessed, logged: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "M.bundle"
    save_bundle(path, logged)
    code, _, err = _run(capsys, "check", path, "--trust-witness", witnessed.log.pub)
    assert code == 2 and err.count("\n") == 1
    assert f"{witnessed.log.pub}: a log key, not a witness key" in err
    code, _, err = _run(capsys, "check", path, "--trust-log", witnessed.w1.pub)
    assert code == 2 and f"{witnessed.w1.pub}: a witness key" in err
    code, _, err = _run(capsys, "check", path, *_pins(witnessed), "--witness-quorum", 3)
    assert code == 2 and "--witness-quorum 3" in err and err.count("\n") == 1
