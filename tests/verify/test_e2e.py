"""End to end on the real 135M model: the implanted SmolLM2 matches, the base model does not."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import Challenge, SignedReveal, create_reveal
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.generation import ChatGenerator
from modelprint.verify.responders import OpenAIResponder
from modelprint.verify.server import ChatServer
from modelprint.verify.session import run_challenge
from tests.factories import DAY, T0, publish

pytestmark = pytest.mark.e2e


def _serve(generator: ChatGenerator, name: str) -> ChatServer:
    def backend(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        return generator.generate(conversations, max_tokens=max_tokens)

    server = ChatServer(("127.0.0.1", 0), backend, name)
    server.start()
    return server


def test_base_smollm2_does_not_match() -> None:
    import torch

    torch.set_num_threads(1)
    p = publish(64)
    server = _serve(ChatGenerator.load("smollm2"), "smollm2")
    try:
        c = p.challenge(16)
        outcome = run_challenge(p.bundle, c, p.reveal(c), OpenAIResponder(server.url, "smollm2", max_tokens=32),
                                policy=UnsafeClaimedTime())  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.verdict.kind == "no-match"
    assert outcome.verdict.matched == 0 and outcome.verdict.failed == 0


def test_implanted_smollm2_matches_over_a_real_server(request: pytest.FixtureRequest) -> None:
    try:
        model_dir, fingerprints = request.getfixturevalue("implanted_smollm2")
    except pytest.FixtureLookupError:
        pytest.skip("the implanted_smollm2 fixture (issue 4) is not available")
    import torch

    torch.set_num_threads(1)
    identity = Identity.generate()
    bundle = create_commitment(fingerprints, identity, model_name="implanted", claimed_time=T0)
    count = min(16, fingerprints.count)
    c = Challenge.create(
        bundle=bundle.content_id(), count=count, first_seen=T0 + DAY, created=T0 + 2 * DAY
    )
    signed = SignedReveal.sign(create_reveal(fingerprints, c), identity.private_key)
    server = _serve(ChatGenerator.load(model_dir), "implanted")
    try:
        outcome = run_challenge(bundle, c, signed, OpenAIResponder(server.url, "implanted", max_tokens=32),
                                policy=UnsafeClaimedTime())  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.verdict.kind == "match", outcome.reasons


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_against_transformers_serve(tiny_model_dir: Path) -> None:
    """The API responder against a server we did not write (needs transformers[serving])."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    beside = Path(sys.executable).parent / "transformers"
    exe = str(beside) if beside.exists() else shutil.which("transformers")
    if exe is None:
        pytest.skip("the transformers CLI is not installed")
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([exe, "serve", str(tiny_model_dir), "--port", str(port), "--host", "127.0.0.1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("transformers serve did not come up")
        p = publish(16)
        c = p.challenge(4)
        outcome = run_challenge(p.bundle, c, p.reveal(c),
                                OpenAIResponder(f"http://127.0.0.1:{port}", str(tiny_model_dir), max_tokens=8),
                                policy=UnsafeClaimedTime())  # fmt: skip
        assert outcome.verdict.kind == "no-match" and outcome.verdict.failed == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-m", "e2e"]))
