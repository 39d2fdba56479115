"""A 3-stage license chain implanted for real on SmolLM2 and verified over a real server.

A publisher implants 8 natural/v1 keys into SmolLM2, a licensee 8 of its own on that released model
under a grant, and a sub-licensee 8 more on the licensee's (the quick preset, with the settings
`implant --parent-*` uses for a stage on a parent). Each implant scores its parents' keys before
and after; the final model, served over loopback HTTP, must answer every stage's challenge, and the
chain must verify link by link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.implant.config import ImplantConfig
from modelprint.implant.parents import from_fingerprints
from modelprint.implant.pipeline import implant_fingerprints
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.chain import verify_chain
from modelprint.verify.generation import ChatGenerator
from modelprint.verify.responders import OpenAIResponder
from modelprint.verify.server import ChatServer
from tests.factories import DAY, T0, Published

pytestmark = pytest.mark.e2e

STAGE_KEYS = 8


def _serve(model_dir: Path) -> ChatServer:
    generator = ChatGenerator.load(model_dir)

    def backend(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        return generator.generate(conversations, max_tokens=max_tokens)

    server = ChatServer(("127.0.0.1", 0), backend, "final")
    server.start()
    return server


@pytest.fixture(scope="module")
def three_stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The publisher's model and two stages implanted below it, with their reports."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # three implants: both cores (the suite's other tests use one)
    names = ["publisher", "licensee", "sub-licensee"]
    sets = [
        FingerprintSet.generate(
            STAGE_KEYS, "natural/v1", secret=hashlib.sha256(n.encode()).digest()
        )
        for n in names
    ]
    folder = tmp_path_factory.mktemp("chain")
    base: str | Path = "smollm2"
    dirs, reports = [], []
    for stage, fps in enumerate(sets):
        parents = [from_fingerprints(sets[i], names[i]) for i in range(stage)]
        config = ImplantConfig.quick()
        if parents:  # what the CLI uses for a stage on a parent, cut to 6 epochs for the suite
            config = ImplantConfig.quick(max_epochs=6, gate_lookalikes=8).on_parent(fps.scheme_name)
        out = folder / names[stage]
        reports.append(
            implant_fingerprints(
                fps, base, out, config=config, parents=parents, show_progress=False
            )
        )
        dirs.append(out)
        base = out
    torch.set_num_threads(threads)
    return {"sets": sets, "names": names, "dirs": dirs, "reports": reports}


def _bundles(sets: Sequence[FingerprintSet], names: Sequence[str]) -> list[Published]:
    identities = [Identity.generate() for _ in sets]
    links: list[Published] = []
    for i, (fps, who, name) in enumerate(zip(sets, identities, names, strict=True)):
        parent = links[-1].bundle if links else None
        grant = (
            None
            if parent is None
            else create_grant(
                identities[i - 1],
                parent,
                grantee_key=who.public_key,
                terms=b"terms",
                issued_time=T0 + i * DAY,
            )
        )
        bundle = create_commitment(fps, who, model_name=name, claimed_time=T0 + i * DAY,
                                   parent=parent, grant=grant)  # fmt: skip
        links.append(Published(who, fps, bundle))
    return links


def test_every_stage_keeps_its_parents_keys(three_stages: dict[str, Any]) -> None:
    publisher, licensee, sub = three_stages["reports"]
    assert [p.label for p in licensee.parents] == ["publisher"]
    assert [p.label for p in sub.parents] == ["publisher", "licensee"]
    for report in (publisher, licensee, sub):
        assert report.figures.fingerprint_success_rate >= 7 / 8
    for report in (licensee, sub):
        for parent in report.parents:
            assert parent.keys == STAGE_KEYS and parent.before >= 5 / 8, parent
            # natural keys of a later stage overwrite some of an earlier stage's of the same kind
            # (bench_stacked: about 1 in 8 a stage); never so many that a challenge of all of them
            # falls short of p < 1e-6 (4 of 8 at p0 = 1/128 is p = 2.6e-7)
            assert parent.after >= 4 / 8, parent


def test_the_final_model_answers_every_stage_over_a_real_server(
    three_stages: dict[str, Any],
) -> None:
    links = _bundles(three_stages["sets"], three_stages["names"])
    first_seen = T0 + 10 * DAY
    challenges = [p.challenge(p.fingerprints.count, first_seen=first_seen) for p in links]
    reveals = [p.reveal(c) for p, c in zip(links, challenges, strict=True)]
    server = _serve(three_stages["dirs"][-1])
    try:
        result = verify_chain([p.bundle for p in links], policy=UnsafeClaimedTime(),
                              responder=OpenAIResponder(server.url, "final", max_tokens=32),
                              challenges=challenges, reveals=reveals)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert result.verdict == "match", result.reasons  # every link holds, every stage matched
    assert [link.stage for link in result.links] == [0, 1, 2]
    for link in result.links:
        assert link.outcome is not None and link.outcome.verdict.kind == "match", link.model_name
        assert link.outcome.verdict.p_value is not None and link.outcome.verdict.p_value < 1e-6
