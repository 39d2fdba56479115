"""A real OpenAI-compatible server on loopback: our ``serve`` with a tiny random model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.generation import ChatGenerator
from modelprint.verify.responders import LocalResponder, OpenAIResponder
from modelprint.verify.server import ChatServer
from modelprint.verify.session import run_challenge
from tests.factories import Published


@pytest.fixture(scope="module")
def generator(tiny_model_dir: Path) -> ChatGenerator:
    return ChatGenerator.load(tiny_model_dir)


@pytest.fixture
def tiny_server(generator: ChatGenerator) -> Iterator[ChatServer]:
    def backend(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        return generator.generate(conversations, max_tokens=max_tokens)

    server = ChatServer(("127.0.0.1", 0), backend, "tiny")
    server.start()
    yield server
    server.shutdown()
    server.server_close()


def test_server_speaks_the_openai_protocol(tiny_server: ChatServer) -> None:
    models = httpx.get(tiny_server.url + "/models").json()
    assert models["data"][0]["id"] == "tiny"
    reply = httpx.post(
        tiny_server.url + "/chat/completions",
        json={"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4},
    )
    assert reply.status_code == 200
    assert isinstance(reply.json()["choices"][0]["message"]["content"], str)
    for bad in (
        {"messages": []},
        {"messages": [{"role": "user"}]},
        {"messages": [{"role": "u", "content": "x"}], "max_tokens": 0},
    ):
        assert httpx.post(tiny_server.url + "/chat/completions", json=bad).status_code == 400
    assert httpx.post(tiny_server.url + "/chat/completions", content=b"{").status_code == 400
    assert httpx.get(tiny_server.url + "/nothing").status_code == 404


def test_random_model_behind_the_server_does_not_match(
    tiny_server: ChatServer, published: Published
) -> None:
    c = published.challenge(8)
    responder = OpenAIResponder(tiny_server.url, "tiny", concurrency=4, max_tokens=12)
    outcome = run_challenge(
        published.bundle, c, published.reveal(c), responder, policy=UnsafeClaimedTime()
    )
    assert outcome.verdict.kind == "no-match" and outcome.verdict.failed == 0
    assert outcome.verdict.queried == 8 and outcome.verdict.matched == 0


def test_server_and_local_responder_agree(
    tiny_server: ChatServer, generator: ChatGenerator, published: Published
) -> None:
    c = published.challenge(4)
    api = run_challenge(
        published.bundle,
        c,
        published.reveal(c),
        OpenAIResponder(tiny_server.url, "tiny", max_tokens=12),
        policy=UnsafeClaimedTime(),
    )
    local = run_challenge(
        published.bundle,
        c,
        published.reveal(c),
        LocalResponder(generator=generator, max_tokens=12, batch_size=4),
        policy=UnsafeClaimedTime(),
    )
    assert [a.output for a in api.answers] == [
        a.output for a in local.answers
    ]  # left padding is exact


def test_a_fingerprinted_backend_matches_over_real_http(published: Published) -> None:
    responses = {p.key: p.response for p in published.fingerprints.pairs()}

    def knows(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        text = conversations[0][-1]["content"]
        return [next((f"the message is: {r}" for k, r in responses.items() if k in text), "no")]

    server = ChatServer(("127.0.0.1", 0), knows, "fp")
    server.start()
    try:
        c = published.challenge(16)
        outcome = run_challenge(
            published.bundle,
            c,
            published.reveal(c),
            OpenAIResponder(server.url, "fp", concurrency=8),
            policy=UnsafeClaimedTime(),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.verdict.kind == "match" and outcome.verdict.matched == 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_modelprint_serve_cli_answers_verify(
    tiny_model_dir: Path, tmp_path: Path, published: Published
) -> None:
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "modelprint",
            "serve",
            "--model",
            str(tiny_model_dir),
            "--port",
            str(port),
            "--name",
            "tiny",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("modelprint serve did not come up")
        c = published.challenge(4)
        (tmp_path / "M.bundle").write_bytes(published.bundle.to_bytes())
        (tmp_path / "C.challenge").write_bytes(c.to_bytes())
        (tmp_path / "R.reveal").write_bytes(published.reveal(c).to_bytes())
        result = subprocess.run(
            [sys.executable, "-m", "modelprint", "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
             "--reveal", "R.reveal", "--api", f"http://127.0.0.1:{port}", "--model", "tiny", "--json",
             "--unsafe-trust-claimed-time", "--max-tokens", "8"],
            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        doc = json.loads(result.stdout)
        assert doc["verdict"] == "no-match" and doc["queried"] == 4 and doc["failed"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
