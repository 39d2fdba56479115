"""License chains: signatures, grants, time order, cycles; and challenging every stage."""

from __future__ import annotations

import pytest

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.chain import verify_chain
from modelprint.verify.responders import Reply
from tests.factories import DAY, T0, Published


def _chain(times=(T0, T0 + DAY)):
    a, b = Identity.generate(), Identity.generate()
    fa, fb = FingerprintSet.generate(32), FingerprintSet.generate(32)
    b0 = create_commitment(fa, a, model_name="base", claimed_time=times[0])
    grant = create_grant(a, b0, grantee_key=b.public_key, terms=b"terms", issued_time=times[0])
    b1 = create_commitment(fb, b, model_name="tuned", claimed_time=times[1], parent=b0, grant=grant)
    return [Published(a, fa, b0), Published(b, fb, b1)]


def test_a_valid_chain_verifies() -> None:
    links = _chain()
    result = verify_chain([p.bundle for p in links], policy=UnsafeClaimedTime())
    assert result.verdict == "valid" and result.ok
    assert [link.stage for link in result.links] == [0, 1]


def test_broken_chains_are_rejected() -> None:
    links = _chain()
    assert verify_chain([links[1].bundle], policy=UnsafeClaimedTime()).verdict == "rejected"
    b = [links[0].bundle, links[0].bundle]
    assert "cycle" in verify_chain(b, policy=UnsafeClaimedTime()).reasons[0]
    backwards = _chain(times=(T0 + DAY, T0))
    r = verify_chain([p.bundle for p in backwards], policy=UnsafeClaimedTime())
    assert r.verdict == "rejected" and "backwards" in r.reasons[0]
    other = _chain()
    r = verify_chain([links[0].bundle, other[1].bundle], policy=UnsafeClaimedTime())
    assert r.verdict == "rejected"


class _Knows:
    def __init__(self, *sets: FingerprintSet) -> None:
        self.responses = {p.key: p.response for s in sets for p in s.pairs()}

    def describe(self) -> str:
        return "oracle"

    def answer(self, queries, progress=None):
        return [
            Reply(
                q.index, next((r for k, r in self.responses.items() if k in q.messages[0][1]), "no")
            )
            for q in queries
        ]


@pytest.mark.parametrize("knows_both,verdict", [(True, "match"), (False, "no-match")])
def test_every_stage_is_challenged(knows_both: bool, verdict: str) -> None:
    links = _chain()
    challenges = [p.challenge(8, first_seen=T0 + 10 * DAY) for p in links]
    reveals = [p.reveal(c) for p, c in zip(links, challenges, strict=True)]
    sets = [p.fingerprints for p in links] if knows_both else [links[0].fingerprints]
    result = verify_chain([p.bundle for p in links], policy=UnsafeClaimedTime(),
                          responder=_Knows(*sets), challenges=challenges, reveals=reveals)  # fmt: skip
    assert result.verdict == verdict
