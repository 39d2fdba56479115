"""Verdicts with real time evidence: a transparency log on loopback, pinned with --trust-log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.cli import main
from modelprint.commit.publish import add_evidence
from modelprint.commit.tlog_server import LogServer
from modelprint.commit.tlog_store import LogStore
from modelprint.protocol.checkpoint import NoteSigner
from modelprint.protocol.schemes import get_scheme
from modelprint.runtime.keyfiles import load_trust_policy
from modelprint.verify.session import run_challenge
from tests.factories import Published

LOG_TIME = 1_750_000_000  # 2025-06-15T15:06:40Z, the log's clock


@pytest.fixture
def logged(tmp_path: Path, published: Published):
    signer = NoteSigner("example.test/log", Ed25519PrivateKey.generate())
    store = LogStore(tmp_path / "log.sqlite", signer, clock=lambda: LOG_TIME)
    server = LogServer(store)
    server.start_background()
    try:
        bundle = add_evidence(published.bundle, log=server.url, tsa=None)
    finally:
        server.close()
    pub = tmp_path / "LOG.pub"
    pub.write_text(signer.verifier().vkey() + "\n")
    return bundle, pub


class _Knows:
    def __init__(self, p: Published) -> None:
        self.responses = {x.key: x.response for x in p.fingerprints.pairs()}

    def describe(self) -> str:
        return "oracle"

    def answer(self, queries, progress=None):
        from modelprint.verify.responders import Reply

        return [
            Reply(q.index, next(r for k, r in self.responses.items() if k in q.messages[0][1]))
            for q in queries
        ]


def test_log_time_before_first_seen_matches(logged, published: Published) -> None:
    bundle, pub = logged
    c = published.challenge(8, first_seen=LOG_TIME + 86_400)
    outcome = run_challenge(
        bundle, c, published.reveal(c), _Knows(published),
        policy=load_trust_policy([pub]),
    )  # fmt: skip
    assert outcome.verdict.kind == "match"
    assert outcome.time.time == LOG_TIME and outcome.time.evidence


def test_log_time_after_first_seen_is_an_overclaim(logged, published: Published) -> None:
    bundle, pub = logged
    c = published.challenge(8, first_seen=LOG_TIME - 86_400)  # claimed time is earlier: ignored
    outcome = run_challenge(
        bundle, c, published.reveal(c), _Knows(published),
        policy=load_trust_policy([pub]),
    )  # fmt: skip
    assert outcome.verdict.kind == "rejected" and outcome.verdict.matched == 8


def test_unpinned_log_is_not_trusted(logged, published: Published, tmp_path: Path) -> None:
    bundle, _ = logged
    other = tmp_path / "OTHER.pub"
    other.write_text(NoteSigner("example.test/log", Ed25519PrivateKey.generate()).verifier().vkey())
    c = published.challenge(8, first_seen=LOG_TIME + 86_400)
    outcome = run_challenge(
        bundle, c, published.reveal(c), _Knows(published),
        policy=load_trust_policy([other]),
    )  # fmt: skip
    assert outcome.verdict.kind == "rejected" and outcome.time.time is None


def test_cli_verify_with_trust_log(logged, published: Published, tmp_path: Path, capsys) -> None:
    bundle, pub = logged
    os.chdir(tmp_path)
    c = published.challenge(8, first_seen=LOG_TIME + 86_400)
    Path("M.bundle").write_bytes(bundle.to_bytes())
    Path("C.challenge").write_bytes(c.to_bytes())
    signed = published.reveal(c)
    Path("R.reveal").write_bytes(signed.to_bytes())
    s = get_scheme("if-decrypt/v1")
    pairs = signed.unverified().pairs
    Path("T.json").write_text(json.dumps({"queries": [
        {"index": p.index, "prompt": [{"role": "user", "content": s.prompt(p.key)}], "output": p.response}
        for p in pairs
    ]}))  # fmt: skip
    code = main(["verify", "--bundle", "M.bundle", "--challenge", "C.challenge", "--reveal",
                 "R.reveal", "--transcript", "T.json", "--trust-log", str(pub), "--json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["verdict"] == "match" and doc["committed_before"] is True
    assert doc["trusted_time"] == "2025-06-15T15:06:40Z"
