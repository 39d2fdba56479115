"""The auditor's and publisher's CLI: challenge, reveal (ledger), verify, inspect, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelprint.cli import main
from modelprint.protocol.challenge import SignedReveal
from modelprint.protocol.schemes import get_scheme


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def workdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "keygen", "--out", "ID.key")[0] == 0
    assert (
        run(
            capsys,
            "fingerprints",
            "--count",
            "32",
            "--scheme",
            "if-decrypt/v1",
            "--out",
            "FP.secret",
        )[0]
        == 0
    )
    code, _, err = run(capsys, "commit", "--identity", "ID.key", "--fingerprints", "FP.secret",
                       "--model-name", "m", "--out", "M.bundle", "--time", "2025-01-01")  # fmt: skip
    assert code == 0, err
    return tmp_path


def _transcript(reveal: Path, out: Path, *, good: int, hostile: str = "") -> None:
    pairs = SignedReveal.from_bytes(reveal.read_bytes()).unverified().pairs
    s = get_scheme("if-decrypt/v1")
    entries = [
        {
            "index": p.index,
            "prompt": [{"role": "user", "content": s.prompt(p.key)}],
            "output": s.target(p.response) if n < good else f"I cannot decrypt that. {hostile}",
        }
        for n, p in enumerate(pairs)
    ]
    out.write_text(json.dumps({"queries": entries}))


def _challenge(
    capsys, first_seen: str = "2025-06-01", count: int = 8, out: str = "C.challenge"
) -> None:
    code, _, err = run(capsys, "challenge", "--bundle", "M.bundle", "--count", count,
                       "--first-seen", first_seen, "--out", out)  # fmt: skip
    assert code == 0, err


def _reveal(capsys, challenge: str = "C.challenge", out: str = "R.reveal") -> tuple[int, str, str]:
    return run(capsys, "reveal", challenge, "--fingerprints", "FP.secret", "--identity", "ID.key",
               "--bundle", "M.bundle", "--out", out)  # fmt: skip


def test_full_loop_match_and_reports(workdir: Path, capsys) -> None:
    _challenge(capsys)
    assert _reveal(capsys)[0] == 0
    code, out, _ = run(capsys, "inspect", "--json", "R.reveal")
    doc = json.loads(out)
    assert (
        code == 0
        and len(doc["pairs"]) == 8
        and set(doc["pairs"][0]) == {"index", "key", "response"}
    )
    _transcript(
        workdir / "R.reveal", workdir / "T.json", good=6, hostile="<script>alert(1)</script>"
    )
    code, out, err = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
                         "--reveal", "R.reveal", "--transcript", "T.json", "--json",
                         "--unsafe-trust-claimed-time", "--report", "r.html")  # fmt: skip
    doc = json.loads(out)
    assert code == 0, err
    assert {
        "verdict",
        "matched",
        "queried",
        "p_value",
        "committed_before",
        "reasons",
        "queries",
    } <= set(doc)
    assert (doc["verdict"], doc["matched"], doc["queried"], doc["committed_before"]) == (
        "match",
        6,
        8,
        True,
    )
    for q, pair in zip(
        doc["queries"],
        json.loads(run(capsys, "inspect", "--json", "R.reveal")[1])["pairs"],
        strict=True,
    ):
        assert pair["key"] in q["prompt"][0]["content"]
        assert set(q) >= {"index", "prompt", "expected", "output", "matched"}
    page = (workdir / "r.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert ("match" in page and "UNSAFE" not in page.upper()) or "claim" in page
    # the same run without trusting the claimed time is rejected (no time evidence)
    code, out, _ = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
                       "--reveal", "R.reveal", "--transcript", "T.json", "--json")  # fmt: skip
    assert code == 1 and json.loads(out)["verdict"] == "rejected"


def test_overclaim_is_rejected(workdir: Path, capsys) -> None:
    _challenge(capsys, first_seen="2024-06-01")
    assert _reveal(capsys)[0] == 0
    _transcript(workdir / "R.reveal", workdir / "T.json", good=8)
    code, out, _ = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
                       "--reveal", "R.reveal", "--transcript", "T.json", "--json",
                       "--unsafe-trust-claimed-time")  # fmt: skip
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "rejected" and doc["matched"] == 8
    assert doc["committed_before"] is False


def test_replayed_reveal_is_rejected_by_the_cli(workdir: Path, capsys) -> None:
    _challenge(capsys, out="C1.challenge")
    _challenge(capsys, out="C2.challenge")
    assert _reveal(capsys, "C1.challenge", "R1.reveal")[0] == 0
    _transcript(workdir / "R1.reveal", workdir / "T.json", good=8)
    code, out, _ = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C2.challenge",
                       "--reveal", "R1.reveal", "--transcript", "T.json", "--json",
                       "--unsafe-trust-claimed-time")  # fmt: skip
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "rejected" and doc["queries"] == []
    assert "another challenge" in doc["reasons"][0]


def test_ledger_burns_and_verifier_does_not_count_twice(workdir: Path, capsys) -> None:
    _challenge(capsys, count=20, out="C1.challenge")
    assert _reveal(capsys, "C1.challenge", "R1.reveal")[0] == 0
    assert (workdir / "FP.secret.ledger").exists()
    _challenge(capsys, count=20, out="C2.challenge")
    code, out, err = _reveal(capsys, "C2.challenge", "R2.reveal")
    assert code == 0 and "revealed before" in err
    r1 = SignedReveal.from_bytes((workdir / "R1.reveal").read_bytes()).unverified()
    r2 = SignedReveal.from_bytes((workdir / "R2.reveal").read_bytes()).unverified()
    overlap = {p.index for p in r1.pairs} & {p.index for p in r2.pairs}
    assert overlap and set(r2.burned) == overlap
    _transcript(workdir / "R2.reveal", workdir / "T.json", good=20)
    code, out, _ = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C2.challenge",
                       "--reveal", "R2.reveal", "--transcript", "T.json", "--json",
                       "--unsafe-trust-claimed-time", "--prior-reveal", "R1.reveal")  # fmt: skip
    doc = json.loads(out)
    assert doc["queried"] == 20 - len(overlap) == doc["matched"]
    # re-answering the same challenge burns nothing new
    before = (workdir / "FP.secret.ledger").read_bytes()
    assert _reveal(capsys, "C2.challenge", "R2b.reveal")[0] == 0
    assert (workdir / "FP.secret.ledger").read_bytes() == before


def test_reveal_refuses_another_bundle_and_bad_files(workdir: Path, capsys) -> None:
    _challenge(capsys)
    assert (
        run(
            capsys,
            "fingerprints",
            "--count",
            "32",
            "--scheme",
            "if-decrypt/v1",
            "--out",
            "FP2.secret",
        )[0]
        == 0
    )
    code, _, err = run(capsys, "reveal", "C.challenge", "--fingerprints", "FP2.secret",
                       "--identity", "ID.key", "--bundle", "M.bundle", "--out", "R.reveal")  # fmt: skip
    assert code == 1 and "another fingerprint set" in err and "Traceback" not in err
    (workdir / "junk").write_bytes(b"\x81\xa1x")
    code, _, err = run(capsys, "reveal", "junk", "--fingerprints", "FP.secret", "--identity", "ID.key",
                       "--out", "R.reveal")  # fmt: skip
    assert code == 2 and "junk" in err
    code, _, err = run(capsys, "challenge", "--bundle", "M.bundle", "--count", "33",
                       "--first-seen", "2025-01-01", "--out", "X")  # fmt: skip
    assert code == 2 and "--count" in err
    code, _, err = run(capsys, "challenge", "--bundle", "M.bundle", "--count", "3",
                       "--first-seen", "yesterday", "--out", "X")  # fmt: skip
    assert code == 2 and "ISO" in err


def test_secrets_are_never_printed(workdir: Path, capsys) -> None:
    _challenge(capsys)
    code, out, err = _reveal(capsys)
    secret = (workdir / "FP.secret").read_bytes()
    from modelprint.protocol.fingerprints import FingerprintSet

    hexed = FingerprintSet.from_bytes(secret).secret.hex()
    assert hexed not in out + err
    code, out, err = run(capsys, "inspect", "--json", "C.challenge")
    assert code == 0 and json.loads(out)["kind"] == "challenge"


def test_verify_local_reports_white_box_evidence(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, tiny_model_dir: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "keygen", "--out", "ID.key")[0] == 0
    assert (
        run(
            capsys,
            "fingerprints",
            "--count",
            "8",
            "--scheme",
            "if-decrypt/v1",
            "--out",
            "FP.secret",
        )[0]
        == 0
    )
    code, _, err = run(capsys, "commit", "--identity", "ID.key", "--fingerprints", "FP.secret",
                       "--model-name", "m", "--out", "M.bundle", "--time", "2025-01-01",
                       "--whitebox", tiny_model_dir)  # fmt: skip
    assert code == 0, err
    _challenge(capsys, count=4)
    assert _reveal(capsys)[0] == 0
    import modelprint.verify.whitebox.weights as weights

    loads: list[object] = []  # the invariants come from the model the queries ran on
    monkeypatch.setattr(weights, "load_weights", lambda *a, **k: loads.append(a))
    code, out, err = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
                         "--reveal", "R.reveal", "--local", tiny_model_dir, "--max-tokens", "4",
                         "--unsafe-trust-claimed-time", "--report", "r.html", "--json",
                         "--html", "v.html")  # fmt: skip
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "no-match"  # a random tiny model learned no keys
    assert doc["whitebox"]["similarity"]["similarity"] > 99  # ... but it is the committed model
    assert loads == [] and doc["whitebox"]["weights_match"] is True  # files still checked
    page = (tmp_path / "r.html").read_text()
    assert "HuRef similarity" in page
    pictured = (tmp_path / "v.html").read_text()  # --html: the pictures, captioned
    assert pictured.count("<img") == 2 and "m (committed)" in pictured


def test_a_challenge_can_avoid_every_key_revealed_before(workdir: Path, capsys) -> None:
    _challenge(capsys, count=12, out="C1.challenge")
    assert _reveal(capsys, "C1.challenge", "R1.reveal")[0] == 0
    _challenge(capsys, count=8, out="C2.challenge")
    assert _reveal(capsys, "C2.challenge", "R2.reveal")[0] == 0
    # at least 12 of 32 are fresh: a draw of 6 avoids the rest once in ~1,000 (100,000 tries)
    code, _, err = run(capsys, "challenge", "--bundle", "M.bundle", "--count", "6",
                       "--first-seen", "2025-06-01", "--out", "C3.challenge",
                       "--avoid", "R1.reveal", "R2.reveal")  # fmt: skip
    assert code == 0, err
    code, _, err = _reveal(capsys, "C3.challenge", "R3.reveal")
    assert code == 0 and "revealed before" not in err
    revealed = [
        {p.index for p in SignedReveal.from_bytes((workdir / f"R{n}.reveal").read_bytes())
         .unverified().pairs}
        for n in (1, 2, 3)
    ]  # fmt: skip
    assert len(revealed[2]) == 6 and not revealed[2] & (revealed[0] | revealed[1])
    # more than the fresh keys left, or a reveal of another bundle: one-line errors, no file
    left = 32 - len(revealed[0] | revealed[1] | revealed[2])
    code, _, err = run(capsys, "challenge", "--bundle", "M.bundle", "--count", str(left + 1),
                       "--first-seen", "2025-06-01", "--out", "C4.challenge",
                       "--avoid", "R1.reveal", "R2.reveal", "R3.reveal")  # fmt: skip
    assert code == 2 and f"the {left} fingerprints never revealed" in err
    assert err.count("\n") == 1 and not (workdir / "C4.challenge").exists()
    run(capsys, "fingerprints", "--count", "8", "--out", "O.secret")
    code, _, err = run(capsys, "commit", "--identity", "ID.key", "--fingerprints", "O.secret",
                       "--model-name", "o", "--out", "O.bundle")  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "challenge", "--bundle", "O.bundle", "--count", "2",
                       "--first-seen", "2025-06-01", "--out", "C5.challenge",
                       "--avoid", "R1.reveal")  # fmt: skip
    assert code == 2 and "another bundle" in err and not (workdir / "C5.challenge").exists()
