"""Trusted time end to end: commit --log --tsa, publish, check (pinned, unpinned, forged)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.cli import main
from modelprint.commit.publish import add_evidence
from modelprint.protocol.checkpoint import Checkpoint, NoteSigner, sign_checkpoint
from modelprint.protocol.errors import LogError, TimeEvidenceError, TimestampError
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import LogProof, Refresh, verify_log_proof
from modelprint.protocol.trust import (
    AllOf,
    AnyOf,
    PinnedLog,
    PinnedTSA,
    assess,
    verify_time,
)
from modelprint.runtime.documents import load_bundle, save_bundle
from modelprint.runtime.keyfiles import (
    load_log_key,
    load_log_signer,
    load_trust_policy,
    load_tsa_roots,
)
from tests.servers import LogProcess, TSAServer
from tests.tsa import make_pki


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def timed(
    tmp_path: Path,
    log_server: LogProcess,
    tsa_server: TSAServer,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    """A bundle made by ``modelprint commit --log URL --tsa URL``."""
    ident, fps, out = tmp_path / "ID.key", tmp_path / "FP.secret", tmp_path / "M.bundle"
    assert _run(capsys, "keygen", "--out", ident)[0] == 0
    assert _run(capsys, "fingerprints", "--count", 8, "--out", fps)[0] == 0
    code, _, err = _run(
        capsys, "commit", "--identity", ident, "--fingerprints", fps, "--model-name", "m",
        "--out", out, "--log", log_server.url, "--tsa", tsa_server.url,
    )  # fmt: skip
    assert code == 0, err
    return out


def test_check_reports_earliest_pinned_time_and_its_evidence(
    timed: Path, log_server: LogProcess, tsa_server: TSAServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "check", timed, "--trust-log", log_server.pub, "--trust-tsa", tsa_server.root_cert,
        "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    statuses = {e["kind"]: e["status"] for e in report["evidence"]}
    assert statuses == {"log": "trusted", "tsa": "trusted"}
    bundle = load_bundle(timed)
    log_time = verify_time(bundle, load_log_key(log_server.pub)).time
    roots = [t.root for t in load_tsa_roots(tsa_server.root_cert)]
    tsa_time = verify_time(bundle, PinnedTSA(roots[0])).time
    assert report["earliest_trusted_unix"] == min(log_time, tsa_time)
    assert report["proven_by"]["kind"] == ("log" if log_time <= tsa_time else "tsa")
    # the same through the API other packages use
    result = assess(bundle, load_trust_policy([log_server.pub], [tsa_server.root_cert]))
    assert result.time == report["earliest_trusted_unix"] and len(result.evidence) == 2


def test_unpinned_evidence_is_shown_but_not_trusted(
    timed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "check", timed, "--json")
    report = json.loads(out)
    assert code == 0 and report["earliest_trusted_time"] is None
    assert {e["status"] for e in report["evidence"]} == {"unpinned"}
    assert all(e["claimed_time"] for e in report["evidence"])
    code, out, _ = _run(capsys, "check", timed)
    assert "[unpinned]" in out and "not trusted" in out


def test_wrong_log_key_and_foreign_tsa_root_fail(
    timed: Path, tmp_path: Path, log_server: LogProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    impostor = tmp_path / "IMPOSTOR.key"
    assert _run(capsys, "log", "keygen", "--out", impostor, "--origin", log_server.origin)[0] == 0
    code, out, _ = _run(capsys, "check", timed, "--trust-log", tmp_path / "IMPOSTOR.pub", "--json")
    report = json.loads(out)
    assert code == 1 and report["earliest_trusted_time"] is None
    assert [e["status"] for e in report["evidence"] if e["kind"] == "log"] == ["invalid"]
    bundle = load_bundle(timed)
    with pytest.raises(LogError):
        verify_time(bundle, load_log_key(tmp_path / "IMPOSTOR.pub"))

    foreign = make_pki(tmp_path / "foreign", "Foreign TSA")
    code, out, _ = _run(capsys, "check", timed, "--trust-tsa", foreign.root_cert, "--json")
    assert code == 1 and json.loads(out)["earliest_trusted_time"] is None
    with pytest.raises(TimestampError):
        verify_time(bundle, PinnedTSA(load_tsa_roots(foreign.root_cert)[0].root))


def test_policies_combine_like_sigstore(
    timed: Path, log_server: LogProcess, tsa_server: TSAServer, tmp_path: Path
) -> None:
    bundle = load_bundle(timed)
    log = load_log_key(log_server.pub)
    tsa = PinnedTSA(load_tsa_roots(tsa_server.root_cert)[0].root)
    times = [log.prove(bundle).time, tsa.prove(bundle).time]
    assert AnyOf(log, tsa).prove(bundle).time == min(times)
    assert AllOf(log, tsa).prove(bundle).time == max(times)
    for empty in (AnyOf(), AllOf()):
        with pytest.raises(TimeEvidenceError):
            empty.prove(bundle)
    other = PinnedLog(Ed25519PrivateKey.generate().public_key().public_bytes_raw(), None)
    with pytest.raises(TimeEvidenceError):
        AllOf(log, other).prove(bundle)
    assert AnyOf(other, log).prove(bundle).kind == "log"


def _log_proof(bundle: Bundle) -> LogProof:
    return LogProof.from_value(bundle.log_proofs[0])


def test_tampered_inclusion_proof_and_forked_checkpoint_are_log_errors(
    timed: Path, log_server: LogProcess
) -> None:
    bundle = load_bundle(timed)
    key = load_log_key(log_server.pub)
    proof = _log_proof(bundle)
    verifiers = key.verifiers_for(log_server.origin)
    verify_log_proof(proof, bundle, verifiers)  # honest: fine

    bad_path = (bytes(32), *proof.inclusion_proof[1:]) if proof.inclusion_proof else (bytes(32),)
    forged = LogProof(proof.index, bad_path, proof.checkpoint, proof.url)
    with pytest.raises(LogError):
        verify_log_proof(forged, bundle, verifiers)
    moved = LogProof(proof.index + 1, proof.inclusion_proof, proof.checkpoint, proof.url)
    with pytest.raises(LogError):
        verify_log_proof(moved, bundle, verifiers)

    # the log's own key signs a second tree that does not extend the first: a fork
    signer: NoteSigner = load_log_signer(log_server.key, log_server.origin)
    old = proof.unverified_checkpoint()
    fork = Checkpoint(old.origin, old.size + 5, b"\x42" * 32, (f"time {(old.time or 0) + 1}",))
    refresh = Refresh(sign_checkpoint(fork, signer), (b"\x01" * 32, b"\x02" * 32))
    forked = LogProof(proof.index, proof.inclusion_proof, proof.checkpoint, proof.url, refresh)
    with pytest.raises(LogError, match="forked"):
        verify_log_proof(forked, bundle, verifiers)
    # a newer checkpoint whose clock runs backwards is refused too
    back = Checkpoint(old.origin, old.size, old.root, (f"time {(old.time or 0) - 10}",))
    backwards = LogProof(
        proof.index, proof.inclusion_proof, proof.checkpoint, proof.url,
        Refresh(sign_checkpoint(back, signer), ()),
    )  # fmt: skip
    with pytest.raises(LogError):
        verify_log_proof(backwards, bundle, verifiers)


def test_check_refresh_adds_a_consistency_proof_to_a_newer_checkpoint(
    timed: Path,
    log_server: LogProcess,
    make_bundle: Callable[[], Bundle],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = json.loads(_run(capsys, "check", timed, "--trust-log", log_server.pub, "--json")[1])
    for _ in range(3):  # the log grows
        add_evidence(make_bundle(), log=log_server.url, tsa=None)
    code, out, _ = _run(
        capsys, "check", timed, "--trust-log", log_server.pub, "--refresh", "--json"
    )
    after = json.loads(out)
    assert code == 0
    assert after["earliest_trusted_unix"] == before["earliest_trusted_unix"]
    log_item = next(e for e in after["evidence"] if e["kind"] == "log")
    assert log_item["detail"]["refreshed_size"] >= log_item["detail"]["tree_size"] + 3
    assert _log_proof(load_bundle(timed)).refresh is not None  # written into the bundle


def test_publish_adds_proof_once(
    tmp_path: Path,
    log_server: LogProcess,
    make_bundle: Callable[[], Bundle],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "P.bundle"
    save_bundle(path, make_bundle())
    code, out, _ = _run(capsys, "publish", path, "--log", log_server.url, "--trust-log",
                        log_server.pub, "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["added"] is True
    code, out, _ = _run(capsys, "publish", path, "--log", log_server.url, "--json")
    assert code == 0 and json.loads(out)["added"] is False
    assert len(load_bundle(path).log_proofs) == 1


def test_bad_inputs_are_one_line_errors(
    tmp_path: Path, log_server: LogProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.bundle"
    garbage.write_bytes(b"\x93not a bundle")
    for argv in (
        ("publish", garbage, "--log", log_server.url),
        ("check", garbage),
        ("check", garbage.with_name("missing.bundle")),
        ("publish", tmp_path / "missing.bundle", "--log", "ftp://x"),
        ("log", "keygen", "--out", tmp_path / "L.key", "--origin", "bad origin"),
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and "Traceback" not in err
    bundle_path = tmp_path / "ok.bundle"
    ident = tmp_path / "I.key"
    _run(capsys, "keygen", "--out", ident)
    _run(capsys, "fingerprints", "--count", 4, "--out", tmp_path / "F.secret")
    _run(capsys, "commit", "--identity", ident, "--fingerprints", tmp_path / "F.secret",
         "--model-name", "m", "--out", bundle_path)  # fmt: skip
    code, _, err = _run(capsys, "publish", bundle_path, "--log", "http://127.0.0.1:9")
    assert code == 2 and "http://127.0.0.1:9" in err and "cannot connect" in err
    code, _, err = _run(capsys, "check", bundle_path, "--trust-log", ident)  # a private key
    assert code == 2 and err.count("\n") == 1


def test_log_keygen_writes_private_key_0600_and_vkey(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "LOG.key"
    assert _run(capsys, "log", "keygen", "--out", key, "--origin", "example.org/log")[0] == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    pinned = load_log_key(tmp_path / "LOG.pub")
    assert pinned.name == "example.org/log"
    assert load_log_signer(key, "example.org/log").public_key == pinned.public_key
    assert _run(capsys, "log", "keygen", "--out", key, "--origin", "example.org/log")[0] == 2
