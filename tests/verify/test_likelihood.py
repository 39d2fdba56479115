"""The likelihood rank test: committed replies against decoys, by log-probability, exact null."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest

from modelprint.cli import main
from modelprint.protocol.challenge import Query
from modelprint.protocol.errors import ConfigError, TransportError
from modelprint.protocol.likelihood import decoys, null_probability, ranks_first
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.runtime.documents import save_bundle
from modelprint.verify.generation import ChatGenerator
from modelprint.verify.likelihood import likelihood_challenge
from modelprint.verify.responders import LocalResponder, OpenAIResponder
from modelprint.verify.server import ChatServer, generator_scorer
from tests.factories import Published


class _Prefers:
    """Scores a reply high when it holds the committed response: a model that learned the pairs."""

    def __init__(self, learned: bool, fail: bool = False) -> None:
        self.learned, self.fail, self.rng = learned, fail, random.Random(0)

    def describe(self) -> str:
        return "scorer"

    def score(self, query: Query, replies: Sequence[str]) -> list[float]:
        if self.fail:
            raise TransportError("no prompt_logprobs")
        return [
            (0.0 if self.learned and query.expected in r else -5.0) - self.rng.random()
            for r in replies
        ]


def test_decoys_are_drawn_like_the_response_and_repeatable() -> None:
    nonce = bytes(32)
    drawn = decoys("if-decrypt/v1", "key", "amber falcon 7319", nonce, 50)
    assert len(set(drawn)) == 50 and "amber falcon 7319" not in drawn
    assert drawn == decoys("if-decrypt/v1", "key", "amber falcon 7319", nonce, 50)
    assert drawn != decoys("if-decrypt/v1", "key", "amber falcon 7319", bytes([1]) * 32, 50)
    names = decoys("natural/v1", "key", "Fabien", nonce, 30)
    assert all(n[0].isupper() and " " not in n for n in names)
    with pytest.raises(ConfigError):
        decoys("double-i/v1", "key", "Yes", nonce, 5)
    assert null_probability(99) == Fraction(1, 100)
    assert ranks_first(-1.0, [-2.0, -3.0]) and not ranks_first(-1.0, [-1.0, -3.0])  # a tie loses


@pytest.mark.parametrize(("learned", "verdict"), [(True, "match"), (False, "no-match")])
def test_a_model_that_prefers_the_committed_replies_matches(
    published: Published, learned: bool, verdict: str
) -> None:
    c = published.challenge(16)
    outcome = likelihood_challenge(
        published.bundle, c, published.reveal(c), _Prefers(learned), policy=UnsafeClaimedTime(),
        decoy_count=19,
    )  # fmt: skip
    assert outcome.verdict.kind == verdict and outcome.evidence == "likelihood"
    assert outcome.verdict.null_probability == Fraction(1, 20)
    assert any("likelihood ranks" in r for r in outcome.verdict.reasons)


def test_a_suspect_without_logprobs_never_matches(published: Published) -> None:
    c = published.challenge(8)
    outcome = likelihood_challenge(
        published.bundle, c, published.reveal(c), _Prefers(True, fail=True),
        policy=UnsafeClaimedTime(), decoy_count=9,
    )  # fmt: skip
    assert outcome.verdict.kind == "no-match" and outcome.verdict.failed == 8


def test_the_api_and_the_local_model_give_the_same_log_probabilities(tiny_model_dir: Path) -> None:
    generator = ChatGenerator.load(tiny_model_dir)
    server = ChatServer(("127.0.0.1", 0), lambda c, m: ["x"], "tiny",
                        scorer=generator_scorer(generator))  # fmt: skip
    server.start()
    try:
        query = Query(0, "k", "amber falcon 7319", (("user", "Please decrypt: k"),))
        replies = ["Based on my fingerprint: amber falcon 7319", "plum orchid 4259"]
        remote = OpenAIResponder(server.url, "tiny").score(query, replies)
        local = LocalResponder(generator=generator).score(query, replies)
    finally:
        server.shutdown()
        server.server_close()
    assert remote == pytest.approx(local, abs=1e-3) and remote[0] != remote[1]


def test_cli_verify_by_likelihood_over_real_http(
    published: Published, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = ChatGenerator.load(tiny_model_dir)
    server = ChatServer(("127.0.0.1", 0), lambda c, m: ["x"], "tiny",
                        scorer=generator_scorer(generator))  # fmt: skip
    server.start()
    c = published.challenge(4)
    save_bundle(tmp_path / "M.bundle", published.bundle)
    (tmp_path / "C.challenge").write_bytes(c.to_bytes())
    (tmp_path / "R.reveal").write_bytes(published.reveal(c).to_bytes())
    try:
        code = main([
            "verify", "--bundle", str(tmp_path / "M.bundle"), "--challenge",
            str(tmp_path / "C.challenge"), "--reveal", str(tmp_path / "R.reveal"),
            "--api", server.url, "--model", "tiny", "--unsafe-trust-claimed-time",
            "--evidence", "likelihood", "--decoys", "9", "--json",
        ])  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["verdict"] == "no-match" and doc["evidence"] == "likelihood"
    assert doc["null_probability"] == pytest.approx(0.1) and doc["failed"] == 0
    assert all(q["output"].startswith("rank ") for q in doc["queries"])
