"""Responders under faults (httpx.MockTransport): clear errors or partial results, never a false match."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from modelprint.protocol.challenge import Query
from modelprint.protocol.errors import ConfigError, TransportError
from modelprint.protocol.trust import AnyOf, UnsafeClaimedTime
from modelprint.verify.responders import OpenAIResponder, TranscriptResponder, chat_completions_url
from modelprint.verify.session import run_challenge
from tests.factories import Published

QUERIES = [
    Query(i, f"k{i}", f"amber falcon {1000 + i}", (("user", f"decrypt k{i}"),)) for i in range(6)
]


def _ok(content: str) -> httpx.Response:
    return httpx.Response(
        200, json={"choices": [{"message": {"role": "assistant", "content": content}}]}
    )


def _responder(handler: Callable[[httpx.Request], httpx.Response], **kw) -> OpenAIResponder:
    kw.setdefault("backoff", 0.0)
    return OpenAIResponder(
        "http://suspect.test/v1", "m", transport=httpx.MockTransport(handler), **kw
    )


def test_url_forms() -> None:
    assert chat_completions_url("http://h:1") == "http://h:1/v1/chat/completions"
    assert chat_completions_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert chat_completions_url("https://x/v1/chat/completions") == "https://x/v1/chat/completions"
    with pytest.raises(ConfigError):
        chat_completions_url("ftp://h")


def test_request_is_greedy_and_carries_the_exact_messages() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return _ok("hi")

    replies = _responder(handler, max_tokens=33).answer(QUERIES[:1])
    assert replies[0].output == "hi"
    assert seen[0]["messages"] == [{"role": "user", "content": "decrypt k0"}]
    assert seen[0]["temperature"] == 0 and seen[0]["max_tokens"] == 33 and seen[0]["model"] == "m"


def test_5xx_and_429_are_retried_then_succeed() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(503)
        if calls["n"] == 2:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return _ok("fine")

    (reply,) = _responder(handler, retries=3).answer(QUERIES[:1])
    assert reply.output == "fine" and calls["n"] == 3


@pytest.mark.parametrize(
    "handler,message",
    [
        (lambda r: httpx.Response(500, text="boom"), "HTTP 500 (after 3 attempts)"),
        (lambda r: httpx.Response(200, text="{not json"), "malformed JSON"),
        (lambda r: httpx.Response(200, json={"choices": []}), "no choices"),
        (lambda r: httpx.Response(200, json={"choices": [{"message": {}}]}), "no message content"),
        (lambda r: httpx.Response(200, json=[1, 2]), "not a JSON object"),
        (lambda r: httpx.Response(401, json={"error": "no"}), "HTTP 401"),
    ],
)
def test_faults_become_clear_per_query_errors(handler, message: str) -> None:
    (reply,) = _responder(handler, retries=2).answer(QUERIES[:1])
    assert reply.output is None and message in (reply.error or "")


def test_timeouts_are_retried_and_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    (reply,) = _responder(handler, retries=1, timeout=0.5).answer(QUERIES[:1])
    assert reply.output is None and "timed out" in (reply.error or "")


def test_api_key_is_sent_but_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-test-DO-NOT-LEAK"
    monkeypatch.setenv("MODELPRINT_API_KEY", secret)
    auth = []

    def handler(request: httpx.Request) -> httpx.Response:
        auth.append(request.headers.get("authorization"))
        return httpx.Response(500)

    responder = _responder(handler, retries=0)
    (reply,) = responder.answer(QUERIES[:1])
    assert auth == [f"Bearer {secret}"]
    assert secret not in repr(responder) and secret not in responder.describe()
    assert secret not in (reply.error or "")


def test_concurrency_is_limited() -> None:
    import threading
    import time

    active, peak, lock = [0], [0], threading.Lock()

    async def handler(request: httpx.Request) -> httpx.Response:
        import asyncio

        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        await asyncio.sleep(0.02)
        with lock:
            active[0] -= 1
        return _ok("x")

    began = time.perf_counter()
    _responder(handler, concurrency=2).answer(QUERIES)
    assert peak[0] == 2
    assert time.perf_counter() - began < 2


def _fingerprint_handler(published: Published, fail: Callable[[int], httpx.Response | None]):
    """A suspect that knows every fingerprint, except where ``fail`` injects a fault."""
    responses = {p.key: p.response for p in published.fingerprints.pairs()}
    counter = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        counter["n"] += 1
        injected = fail(counter["n"])
        if injected is not None:
            return injected
        prompt = json.loads(request.content)["messages"][0]["content"]
        key = next(k for k in responses if k in prompt)
        return _ok(f"Based on my fingerprint, the message is: {responses[key]}")

    return handler


def test_partial_faults_are_marked_and_counted_as_non_matches(published: Published) -> None:
    c = published.challenge(8)
    handler = _fingerprint_handler(published, lambda n: httpx.Response(500) if n % 2 else None)
    outcome = run_challenge(
        published.bundle, c, published.reveal(c), _responder(handler, retries=0),
        policy=UnsafeClaimedTime(),
    )  # fmt: skip
    v = outcome.verdict
    assert v.partial and v.failed == 4 and v.matched == 4 and v.queried == 8
    assert any(r.startswith("partial") for r in outcome.reasons)


def test_a_broken_server_never_yields_a_match(published: Published) -> None:
    c = published.challenge(8)
    for fault in (
        httpx.Response(500),
        httpx.Response(200, text="<html>"),
        httpx.Response(200, json={"choices": []}),
    ):
        handler = _fingerprint_handler(published, lambda n, f=fault: f)
        with pytest.raises(TransportError, match="every query"):
            run_challenge(
                published.bundle, c, published.reveal(c), _responder(handler, retries=1),
                policy=UnsafeClaimedTime(),
            )  # fmt: skip


def test_a_server_that_echoes_the_prompt_does_not_match(published: Published) -> None:
    c = published.challenge(8)

    def echo(request: httpx.Request) -> httpx.Response:
        return _ok(json.loads(request.content)["messages"][0]["content"])

    outcome = run_challenge(
        published.bundle, c, published.reveal(c), _responder(echo), policy=UnsafeClaimedTime()
    )
    assert outcome.verdict.kind == "no-match" and outcome.verdict.matched == 0


def test_full_match_without_trusted_time_is_rejected(published: Published) -> None:
    c = published.challenge(8)
    handler = _fingerprint_handler(published, lambda n: None)
    outcome = run_challenge(
        published.bundle, c, published.reveal(c), _responder(handler), policy=AnyOf()
    )
    assert outcome.verdict.kind == "rejected" and outcome.verdict.matched == 8


def test_transcript_replays_only_identical_prompts(tmp_path, published: Published) -> None:
    c = published.challenge(8)
    handler = _fingerprint_handler(published, lambda n: None)
    from modelprint.verify.report import to_json

    first = run_challenge(
        published.bundle,
        c,
        published.reveal(c),
        _responder(handler),
        policy=UnsafeClaimedTime(),
    )
    doc = to_json(first)
    doc["queries"][0]["prompt"][0]["content"] += " (tampered)"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    again = run_challenge(
        published.bundle, c, published.reveal(c), TranscriptResponder(path),
        policy=UnsafeClaimedTime(),
    )  # fmt: skip
    assert again.verdict.matched == 7 and again.verdict.failed == 1
    assert "prompt differs" in (again.answers[0].error or "")
