"""The auditor's recipe: paths or objects, ISO times, and a form that runs inside an event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from modelprint.protocol.errors import ConfigError
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.runtime.documents import save_bundle
from modelprint.verify.audit import audit, audit_async, new_challenge
from modelprint.verify.responders import OpenAIResponder
from modelprint.verify.server import ChatServer
from tests.factories import DAY, T0, Published


@pytest.fixture
def suspect(published: Published):  # type: ignore[no-untyped-def]
    known = {p.key: p.response for p in published.fingerprints.pairs()}

    def backend(conversations, max_tokens):  # type: ignore[no-untyped-def]
        asked = conversations[0][-1]["content"]
        return [next((r for k, r in known.items() if k in asked), "no idea")]

    server = ChatServer(("127.0.0.1", 0), backend, "suspect")
    server.start()
    yield server
    server.shutdown()
    server.server_close()


def test_times_are_iso_strings_datetimes_or_seconds(published: Published) -> None:
    when = T0 + 30 * DAY
    as_text = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for first_seen in (when, as_text, datetime.fromtimestamp(when, UTC)):
        assert new_challenge(published.bundle, count=4, first_seen=first_seen).first_seen == when
    with pytest.raises(ConfigError, match="first seen"):
        new_challenge(published.bundle, count=4, first_seen="last tuesday")
    with pytest.raises(ConfigError):
        new_challenge(published.bundle, count=published.fingerprints.count + 1, first_seen=when)


def test_audit_takes_files_and_an_api_url(
    published: Published, suspect: ChatServer, tmp_path: Path
) -> None:
    challenge = published.challenge(8)
    save_bundle(tmp_path / "M.bundle", published.bundle)
    (tmp_path / "C.challenge").write_bytes(challenge.to_bytes())
    (tmp_path / "R.reveal").write_bytes(published.reveal(challenge).to_bytes())
    outcome = audit(
        tmp_path / "M.bundle", tmp_path / "C.challenge", tmp_path / "R.reveal",
        policy=UnsafeClaimedTime(), api=suspect.url, model="suspect",
    )  # fmt: skip
    assert outcome.verdict.kind == "match" and outcome.verdict.matched == 8


def test_audit_runs_inside_a_running_event_loop(published: Published, suspect: ChatServer) -> None:
    challenge = published.challenge(8)
    reveal = published.reveal(challenge)

    async def inside_a_loop() -> tuple[str, str]:
        awaited = await audit_async(
            published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
            api=suspect.url, model="suspect",
        )  # fmt: skip
        # the blocking form, called from a coroutine, must not fail with "asyncio.run() cannot
        # be called from a running event loop"
        blocking = audit(
            published.bundle, challenge, reveal, policy=UnsafeClaimedTime(),
            suspect=OpenAIResponder(suspect.url, "suspect"),
        )  # fmt: skip
        return awaited.verdict.kind, blocking.verdict.kind

    assert asyncio.run(inside_a_loop()) == ("match", "match")


def test_a_suspect_is_named_once(published: Published, suspect: ChatServer) -> None:
    challenge = published.challenge(4)
    with pytest.raises(ConfigError):
        audit(published.bundle, challenge, published.reveal(challenge), policy=UnsafeClaimedTime())
    with pytest.raises(ConfigError, match="model name"):
        audit(
            published.bundle, challenge, published.reveal(challenge),
            policy=UnsafeClaimedTime(), api=suspect.url,
        )  # fmt: skip
