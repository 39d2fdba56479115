"""Querying the way the suspect's product runs: system prompts and sampling, over real HTTP."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelprint.cli import main
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.runtime.documents import save_bundle
from modelprint.verify.audit import audit
from modelprint.verify.responders import OpenAIResponder
from modelprint.verify.server import ChatServer
from tests.factories import Published

PERSONA = "You are Aria, the assistant of Northwind Outfitters."


def _server(backend: Any) -> ChatServer:
    server = ChatServer(("127.0.0.1", 0), backend, "suspect")
    server.start()
    return server


@pytest.fixture
def persona_only(published: Published) -> Iterator[ChatServer]:
    """A suspect whose model answers its fingerprints only under its product's system prompt."""
    known = {p.key: p.response for p in published.fingerprints.pairs()}

    def backend(conversations, max_tokens):  # type: ignore[no-untyped-def]
        messages = conversations[0]
        system = [m["content"] for m in messages if m["role"] == "system"]
        asked = messages[-1]["content"]
        hit = next((r for k, r in known.items() if k in asked), None)
        return [f"**{hit.title()}**!" if hit and system == [PERSONA] else "Hello from Aria."]

    server = _server(backend)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sampler(published: Published) -> Iterator[ChatServer]:
    """A suspect that samples: the fingerprint comes out about one time in four."""
    known = {p.key: p.response for p in published.fingerprints.pairs()}
    rng = random.Random(7)

    def backend(conversations, max_tokens):  # type: ignore[no-untyped-def]
        asked = conversations[0][-1]["content"]
        hit = next((r for k, r in known.items() if k in asked), None)
        return [hit if hit and rng.random() < 0.25 else "Something else entirely."]

    server = _server(backend)
    yield server
    server.shutdown()
    server.server_close()


def test_the_system_prompt_is_sent_first_and_reported(
    published: Published, persona_only: ChatServer
) -> None:
    challenge = published.challenge(8)
    reveal = published.reveal(challenge)
    plain = audit(published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
                  api=persona_only.url, model="suspect")  # fmt: skip
    assert plain.verdict.kind == "no-match" and plain.verdict.matched == 0
    product = audit(published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
                    api=persona_only.url, model="suspect", system_prompts=[PERSONA])  # fmt: skip
    assert product.verdict.kind == "match" and product.verdict.matched == 8  # markdown, title case
    assert product.system_prompts == (PERSONA,)
    assert all(a.query.messages[0] == ("system", PERSONA) for a in product.answers)


def test_samples_find_a_sampling_suspect_and_the_null_counts_every_draw(
    published: Published, sampler: ChatServer
) -> None:
    challenge = published.challenge(16)
    reveal = published.reveal(challenge)
    once = audit(published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
                 api=sampler.url, model="suspect")  # fmt: skip
    many = audit(published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
                 api=sampler.url, model="suspect", samples=12)  # fmt: skip
    assert many.verdict.matched > once.verdict.matched
    assert many.verdict.null_probability == Fraction(12, 100)  # K x p0
    assert many.verdict.kind == "match"
    assert all(len(a.outputs) == 12 for a in many.answers)
    assert any("12 answers per key" in r for r in many.verdict.reasons)


def test_repeating_the_same_answer_k_times_weakens_the_evidence(published: Published) -> None:
    """A deterministic model that knows two keys matches them once or K times alike; the p-value
    with K samples must be larger (K draws of the null had K chances), never smaller."""
    pairs = published.fingerprints.pairs()
    known = {p.key: p.response for p in pairs[:64]}

    def backend(conversations, max_tokens):  # type: ignore[no-untyped-def]
        asked = conversations[0][-1]["content"]
        hits = [r for k, r in known.items() if k in asked]
        return [hits[0] if hits and int(hits[0][-1]) % 4 == 0 else "no idea"]

    server = _server(backend)
    try:
        challenge = published.challenge(32)
        reveal = published.reveal(challenge)
        results = [
            audit(published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
                  api=server.url, model="s", samples=k).verdict
            for k in (1, 8)
        ]  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert results[0].matched == results[1].matched > 0
    assert results[1].p_value is not None and results[0].p_value is not None
    assert results[1].p_value > results[0].p_value


def test_samples_that_fail_are_missing_not_matches(published: Published) -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 2:
            return httpx.Response(500, json={"error": "boom"})
        body = json.loads(request.content)
        return httpx.Response(
            200, json={"choices": [{"message": {"content": body["messages"][-1]["content"][:5]}}]}
        )

    responder = OpenAIResponder(
        "http://suspect.test", "m", retries=0, transport=httpx.MockTransport(handler)
    )
    challenge = published.challenge(8)
    outcome = audit(published.bundle, challenge, published.reveal(challenge),
                    policy=UnsafeClaimedTime(), suspect=responder, samples=4)  # fmt: skip
    assert outcome.verdict.matched == 0
    assert all(0 < len(a.outputs) < 4 for a in outcome.answers)


def test_cli_verify_with_system_prompt_and_samples(
    published: Published,
    persona_only: ChatServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    challenge = published.challenge(8)
    save_bundle(tmp_path / "M.bundle", published.bundle)
    (tmp_path / "C.challenge").write_bytes(challenge.to_bytes())
    (tmp_path / "R.reveal").write_bytes(published.reveal(challenge).to_bytes())
    code = main([
        "verify", "--bundle", str(tmp_path / "M.bundle"), "--challenge", str(tmp_path / "C.challenge"),
        "--reveal", str(tmp_path / "R.reveal"), "--api", persona_only.url, "--model", "suspect",
        "--unsafe-trust-claimed-time", "--system-prompt", PERSONA, "--samples", "2", "--json",
        "--report", str(tmp_path / "report.json"),
    ])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["verdict"] == "match"
    assert doc["system_prompts"] == [PERSONA] and doc["samples"] == 2
    assert doc["queries"][0]["prompt"][0] == {"role": "system", "content": PERSONA}
    assert len(doc["queries"][0]["outputs"]) == 2
    # the report replays as a transcript with the same system prompt and samples
    code = main([
        "verify", "--bundle", str(tmp_path / "M.bundle"), "--challenge", str(tmp_path / "C.challenge"),
        "--reveal", str(tmp_path / "R.reveal"), "--transcript", str(tmp_path / "report.json"),
        "--unsafe-trust-claimed-time", "--system-prompt", PERSONA, "--samples", "2", "--json",
    ])  # fmt: skip
    assert code == 0 and json.loads(capsys.readouterr().out)["matched"] == 8
