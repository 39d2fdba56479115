"""One rule for trusted time: check, verify and chain verify never disagree about a bundle."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.cli import main
from modelprint.commit.publish import add_evidence
from modelprint.commit.tlog_server import LogServer
from modelprint.commit.tlog_store import LogStore
from modelprint.protocol.checkpoint import NoteSigner
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import LogProof
from modelprint.protocol.trust import AnyOf, UnsafeClaimedTime, assess
from modelprint.runtime.documents import save_bundle
from modelprint.runtime.keyfiles import load_trust_policy
from modelprint.verify.chain import verify_chain
from modelprint.verify.responders import Reply
from modelprint.verify.session import run_challenge
from tests.factories import Published

LOG_TIME = 1_750_000_000


class _Oracle:
    def __init__(self, p: Published) -> None:
        self.responses = {x.key: x.response for x in p.fingerprints.pairs()}

    def describe(self) -> str:
        return "oracle"

    def answer(self, queries, progress=None):  # type: ignore[no-untyped-def]
        return [
            Reply(q.index, next(r for k, r in self.responses.items() if k in q.messages[0][1]))
            for q in queries
        ]


@pytest.fixture
def logged(tmp_path: Path, published: Published) -> tuple[Bundle, Path]:
    signer = NoteSigner("example.test/log", Ed25519PrivateKey.generate())
    server = LogServer(LogStore(tmp_path / "log.sqlite", signer, clock=lambda: LOG_TIME))
    server.start_background()
    try:
        bundle = add_evidence(published.bundle, log=server.url)
    finally:
        server.close()
    pub = tmp_path / "LOG.pub"
    pub.write_text(signer.verifier().vkey() + "\n")
    return bundle, pub


def _with_damaged_copy(bundle: Bundle) -> Bundle:
    proof = LogProof.from_value(bundle.log_proofs[0])
    damaged = replace(proof, index=proof.index + 1)
    return bundle.with_evidence(log_proofs=(*bundle.log_proofs, damaged.to_value()))


def test_a_valid_proof_gives_the_time(logged: tuple[Bundle, Path]) -> None:
    bundle, pub = logged
    report = assess(bundle, load_trust_policy([pub]))
    assert report.passed and report.time == LOG_TIME and report.evidence and not report.problems


def test_invalid_evidence_beside_valid_evidence_voids_the_time_everywhere(
    logged: tuple[Bundle, Path], published: Published, tmp_path: Path
) -> None:
    bundle, pub = logged
    damaged = _with_damaged_copy(bundle)
    policy = load_trust_policy([pub])
    report = assess(damaged, policy)
    assert report.proven is not None and report.invalid  # the good proof alone would pass
    assert report.time is None and not report.passed and report.problems
    c = published.challenge(8, first_seen=LOG_TIME + 86_400)
    outcome = run_challenge(damaged, c, published.reveal(c), _Oracle(published), policy=policy)
    assert outcome.verdict.kind == "rejected" and outcome.verdict.matched == 8
    assert verify_chain([damaged], policy=policy).verdict == "rejected"
    save_bundle(tmp_path / "M.bundle", damaged)
    assert main(["check", str(tmp_path / "M.bundle"), "--trust-log", str(pub)]) == 1


def test_nothing_pinned_proves_nothing_and_says_why(logged: tuple[Bundle, Path]) -> None:
    bundle, _ = logged
    report = assess(bundle, AnyOf())
    assert report.time is None and report.passed  # check passes: only the signature was asked
    assert any("pinned" in p for p in report.problems)
    assert {i.status for i in report.items} == {"unpinned"}


def test_the_unsafe_policy_says_so(published: Published) -> None:
    report = assess(published.bundle, UnsafeClaimedTime())
    assert report.unsafe and report.time == published.commitment.claimed_time
    assert all("UNSAFE" in line for line in report.evidence)


def test_a_chain_whose_parent_lost_its_log_proof_fails(
    logged: tuple[Bundle, Path], published: Published
) -> None:
    bundle, pub = logged
    stripped = bundle.with_evidence(log_proofs=())
    result = verify_chain([stripped], policy=load_trust_policy([pub]))
    assert result.verdict == "rejected" and [f.code for f in result.findings] == ["untimed"]
    lenient = verify_chain([stripped], policy=load_trust_policy([pub]), require_time=False)
    assert lenient.verdict == "valid" and not lenient.findings[0].fatal
