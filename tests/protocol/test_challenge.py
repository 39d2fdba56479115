"""The sans-IO challenge protocol: index derivation, records, reveal verification, the session."""

from __future__ import annotations

import dataclasses

import pytest

from modelprint.protocol.challenge import (
    TRANSITIONS,
    Abort,
    Challenge,
    ChallengeSession,
    Conclude,
    IssueChallenge,
    ReceiveReveal,
    RecordAnswer,
    Reveal,
    SessionState,
    SignedReveal,
    create_reveal,
    derive_indices,
    verify_reveal,
)
from modelprint.protocol.envelope import Envelope, PayloadType
from modelprint.protocol.errors import (
    CommitmentError,
    ConfigError,
    DecodeError,
    FileKindError,
    NonCanonicalError,
    ProofError,
    SignatureError,
    StateError,
)
from modelprint.protocol.merkle import MultiProof
from modelprint.protocol.records import Bundle
from tests import vectors
from tests.factories import DAY, T0, Published

INDEX_VECTORS = vectors.load("challenge_indices.json")
REVEAL_VECTORS = vectors.load("challenge_reveal.json")


# -- index derivation ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", INDEX_VECTORS["cases"], ids=lambda c: f"{c['count']}of{c['size']}")
def test_indices_match_the_vectors(case: dict) -> None:
    got = derive_indices(
        bytes.fromhex(case["nonce"]), bytes.fromhex(case["root"]), case["count"], case["size"]
    )
    assert list(got) == case["indices"]
    assert len(set(got)) == case["count"]
    assert all(0 <= i < case["size"] for i in got)


@pytest.mark.parametrize("case", INDEX_VECTORS["errors"])
def test_impossible_index_draws_are_refused(case: dict) -> None:
    with pytest.raises(vectors.error_class(case["error"])):
        derive_indices(
            bytes.fromhex(case["nonce"]), bytes.fromhex(case["root"]), case["count"], case["size"]
        )


def test_indices_depend_on_nonce_and_root() -> None:
    a = derive_indices(b"\x01" * 32, b"\x02" * 32, 8, 1000)
    assert derive_indices(b"\x01" * 32, b"\x02" * 32, 8, 1000) == a
    assert derive_indices(b"\x03" * 32, b"\x02" * 32, 8, 1000) != a
    assert derive_indices(b"\x01" * 32, b"\x04" * 32, 8, 1000) != a


def test_drawing_every_leaf_gives_a_permutation() -> None:
    assert sorted(derive_indices(b"\x05" * 32, b"\x06" * 32, 50, 50)) == list(range(50))


def test_indices_are_roughly_uniform() -> None:
    counts = [0] * 10
    for n in range(2000):
        (i,) = derive_indices(n.to_bytes(32, "big"), b"\x00" * 32, 1, 10)
        counts[i] += 1
    assert min(counts) > 140 and max(counts) < 260


# -- records and vectors ------------------------------------------------------------------------


def test_reveal_vector_verifies_byte_for_byte() -> None:
    v = REVEAL_VECTORS
    bundle = Bundle.from_bytes(bytes.fromhex(v["bundle"]))
    challenge = Challenge.from_bytes(bytes.fromhex(v["challenge"]))
    signed = SignedReveal.from_bytes(bytes.fromhex(v["signed_reveal"]))
    assert bundle.content_id().hex() == v["bundle_id"]
    assert challenge.digest().hex() == v["challenge_digest"]
    assert signed.envelope.payload.hex() == v["reveal_payload"]
    reveal = verify_reveal(signed, challenge, bundle.commitment(), bundle.content_id())
    assert [p.index for p in reveal.pairs] == v["indices"]
    assert [{"index": p.index, "key": p.key, "response": p.response} for p in reveal.pairs] == v[
        "pairs"
    ]
    assert signed.to_bytes().hex() == v["signed_reveal"]


def test_challenge_round_trips_and_rejects_tampering(published: Published) -> None:
    c = published.challenge()
    assert Challenge.from_bytes(c.to_bytes()) == c
    import msgpack

    unsorted = dict(reversed(list(msgpack.unpackb(c.to_bytes()).items())))
    with pytest.raises(NonCanonicalError):
        Challenge.from_bytes(msgpack.packb(unsorted, use_bin_type=True))
    with pytest.raises(DecodeError):
        Challenge.from_bytes(c.to_bytes()[:-3])
    with pytest.raises(FileKindError):
        Reveal.from_bytes(c.to_bytes())
    assert "nonce" not in repr(c)


def test_challenge_parameters_are_bounded(published: Published) -> None:
    with pytest.raises(ConfigError):
        published.challenge(count=0)
    with pytest.raises(ConfigError):
        Challenge(nonce=b"x", count=1, first_seen=0, bundle=b"\0" * 32, created=0)


# -- reveal verification: the attacks -----------------------------------------------------------


def _verify(p: Published, signed: SignedReveal, challenge: Challenge) -> Reveal:
    return verify_reveal(signed, challenge, p.commitment, p.bundle.content_id())


def test_honest_reveal_verifies(published: Published) -> None:
    c = published.challenge(8)
    reveal = _verify(published, published.reveal(c), c)
    assert len(reveal.pairs) == 8
    assert [p.index for p in reveal.pairs] == sorted(c.indices(published.commitment.root, 64))


def test_replayed_reveal_under_another_nonce_is_rejected(published: Published) -> None:
    old = published.challenge(8)
    new = published.challenge(8)
    with pytest.raises(CommitmentError, match="another challenge"):
        _verify(published, published.reveal(old), new)


def test_reveal_for_another_bundle_is_rejected(published: Published, make_published) -> None:
    other = make_published(64, secret=bytes(range(32)))  # same secret, another key and bundle
    c_other = other.challenge(8)
    signed = other.reveal(c_other)
    c = published.challenge(8)
    with pytest.raises((CommitmentError, SignatureError)):
        _verify(published, signed, c)
    # re-signed by the right publisher but naming the other bundle: still refused
    forged = dataclasses.replace(
        create_reveal(published.fingerprints, c), bundle=other.bundle.content_id()
    )
    with pytest.raises(CommitmentError, match="another bundle"):
        _verify(published, SignedReveal.sign(forged, published.identity.private_key), c)
    with pytest.raises(CommitmentError, match="another bundle"):
        verify_reveal(signed, c_other, published.commitment, published.bundle.content_id())


def test_altered_proof_is_rejected(published: Published) -> None:
    c = published.challenge(8)
    reveal = create_reveal(published.fingerprints, c)
    hashes = list(reveal.proof.hashes)
    hashes[0] = bytes(32)
    bad = dataclasses.replace(reveal, proof=MultiProof(reveal.proof.size, tuple(hashes)))
    with pytest.raises(ProofError):
        _verify(published, SignedReveal.sign(bad, published.identity.private_key), c)
    short = dataclasses.replace(reveal, proof=MultiProof(reveal.proof.size, tuple(hashes[1:])))
    with pytest.raises(ProofError):
        _verify(published, SignedReveal.sign(short, published.identity.private_key), c)


def test_altered_pair_is_rejected(published: Published) -> None:
    c = published.challenge(8)
    reveal = create_reveal(published.fingerprints, c)
    pairs = list(reveal.pairs)
    pairs[0] = dataclasses.replace(pairs[0], response="amber falcon 1234")
    bad = dataclasses.replace(reveal, pairs=tuple(pairs))
    with pytest.raises(ProofError):
        _verify(published, SignedReveal.sign(bad, published.identity.private_key), c)


def test_cherry_picked_indices_are_rejected(published: Published) -> None:
    c = published.challenge(4)
    wanted = sorted(c.indices(published.commitment.root, 64))
    chosen = [i for i in range(64) if i not in wanted][:4]
    tree = published.fingerprints.tree()
    picked = Reveal(
        challenge=c.digest(),
        bundle=c.bundle,
        pairs=tuple(published.fingerprints.pair(i) for i in chosen),
        proof=tree.multiproof(chosen),
    )
    with pytest.raises(CommitmentError, match="challenged indices"):
        _verify(published, SignedReveal.sign(picked, published.identity.private_key), c)


def test_reveal_signed_by_another_key_is_rejected(published: Published, make_published) -> None:
    c = published.challenge(8)
    stranger = make_published(4).identity
    signed = SignedReveal.sign(create_reveal(published.fingerprints, c), stranger.private_key)
    with pytest.raises(SignatureError):
        _verify(published, signed, c)
    wrong_type = SignedReveal(
        Envelope.sign(PayloadType.GRANT, signed.envelope.payload, published.identity.private_key)
    )
    with pytest.raises(SignatureError):
        _verify(published, wrong_type, c)


# -- the session state machine ------------------------------------------------------------------


def _session(p: Published, **kw) -> ChallengeSession:
    return ChallengeSession(p.commitment, p.bundle.content_id(), **kw)


def _illegal_events(p: Published, c: Challenge) -> list:
    return [
        IssueChallenge(c),
        ReceiveReveal(p.reveal(c)),
        RecordAnswer(0, "x"),
        Conclude(T0),
        Abort("x"),
    ]


def test_every_illegal_transition_raises_and_changes_nothing(published: Published) -> None:
    c = published.challenge(4)
    index = c.indices(published.commitment.root, 64)[0]
    setups = {
        SessionState.IDLE: [],
        SessionState.AWAITING_REVEAL: [IssueChallenge(c)],
        SessionState.QUERYING: [IssueChallenge(c), ReceiveReveal(published.reveal(c))],
        SessionState.DONE: [IssueChallenge(c), ReceiveReveal(published.reveal(c)), Conclude(T0)],
        SessionState.REJECTED: [Abort("stop")],
    }
    events = [
        IssueChallenge(c),
        ReceiveReveal(published.reveal(c)),
        RecordAnswer(index, "x"),
        Conclude(T0),
        Abort("x"),
    ]
    for state, setup in setups.items():
        for event in events:
            session = _session(published)
            for e in setup:
                session.send(e)
            assert session.state is state
            if (state, type(event)) in TRANSITIONS:
                continue
            before = (session.state, dict(session._answers), session.reveal, session.challenge)
            with pytest.raises(StateError):
                session.send(event)
            assert (
                session.state,
                dict(session._answers),
                session.reveal,
                session.challenge,
            ) == before


def test_full_session_reaches_a_match(published: Published) -> None:
    c = published.challenge(8)
    s = _session(published)
    assert s.send(IssueChallenge(c)) is SessionState.AWAITING_REVEAL
    with pytest.raises(StateError):
        s.queries()
    assert s.send(ReceiveReveal(published.reveal(c))) is SessionState.QUERYING
    for q in s.queries():
        assert q.key in q.messages[0][1]
        s.send(RecordAnswer(q.index, f"Based on my fingerprint, the message is: {q.expected}."))
    assert not s.pending()
    assert s.send(Conclude(T0)) is SessionState.DONE
    v = s.verdict()
    assert (v.kind, v.matched, v.queried, v.committed_before) == ("match", 8, 8, True)
    assert v.p_value is not None and v.p_value < v.threshold


def test_answers_are_recorded_once_and_only_for_queried_indices(published: Published) -> None:
    c = published.challenge(4)
    s = _session(published)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(published.reveal(c)))
    q = s.queries()[0]
    s.send(RecordAnswer(q.index, q.expected))
    with pytest.raises(StateError, match="already"):
        s.send(RecordAnswer(q.index, q.expected))
    missing = next(i for i in range(64) if i not in {x.index for x in s.queries()})
    with pytest.raises(StateError, match="not queried"):
        s.send(RecordAnswer(missing, "x"))
    with pytest.raises(StateError):
        s.send(RecordAnswer(s.queries()[1].index, None, None))
    assert len(s._answers) == 1 and s.state is SessionState.QUERYING


def test_invalid_reveal_leads_to_rejected_without_queries(published: Published) -> None:
    c = published.challenge(4)
    s = _session(published)
    s.send(IssueChallenge(c))
    assert s.send(ReceiveReveal(published.reveal(published.challenge(4)))) is SessionState.REJECTED
    assert s.verdict().kind == "rejected"
    assert "reveal rejected" in s.verdict().reasons[0]
    with pytest.raises(StateError):
        s.queries()


def test_overclaim_is_rejected_even_with_every_key_matching(published: Published) -> None:
    c = published.challenge(8, first_seen=T0 - DAY)  # suspect seen before the commitment
    s = _session(published)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(published.reveal(c)))
    for q in s.queries():
        s.send(RecordAnswer(q.index, q.expected))
    s.send(Conclude(T0))
    v = s.verdict()
    assert v.kind == "rejected" and v.matched == 8 and not v.committed_before
    assert any("not before" in r for r in v.reasons)


def test_missing_trusted_time_is_rejected(published: Published) -> None:
    c = published.challenge(8)
    s = _session(published)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(published.reveal(c)))
    for q in s.queries():
        s.send(RecordAnswer(q.index, q.expected))
    s.send(Conclude(None))
    assert s.verdict().kind == "rejected"


def test_failed_queries_are_partial_non_matches(published: Published) -> None:
    c = published.challenge(8)
    s = _session(published)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(published.reveal(c)))
    qs = s.queries()
    s.send(RecordAnswer(qs[0].index, qs[0].expected))
    for q in qs[1:4]:
        s.send(RecordAnswer(q.index, None, "HTTP 500"))
    s.send(Conclude(T0))  # four never answered at all
    v = s.verdict()
    assert v.kind == "no-match" and v.partial and v.failed == 7 and v.matched == 1
    assert v.queried == 8
    assert any(r.startswith("partial") for r in v.reasons)


def test_burned_indices_never_count(published: Published) -> None:
    c = published.challenge(8)
    burned = set(c.indices(published.commitment.root, 64)[:5])
    s = _session(published, known_burned=burned)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(published.reveal(c)))
    for q in s.queries():
        s.send(RecordAnswer(q.index, q.expected))
    s.send(Conclude(T0))
    v = s.verdict()
    assert v.queried == 3 and v.matched == 3
    assert sum(not q.scored for q in s.queries()) == 5


def test_publisher_marked_burned_indices_are_not_scored(published: Published) -> None:
    c = published.challenge(8)
    idx = c.indices(published.commitment.root, 64)
    reveal = create_reveal(published.fingerprints, c, burned=idx[:2])
    s = _session(published)
    s.send(IssueChallenge(c))
    s.send(ReceiveReveal(SignedReveal.sign(reveal, published.identity.private_key)))
    assert sum(q.scored for q in s.queries()) == 6


def test_a_reveal_of_a_pair_outside_the_scheme_is_rejected() -> None:
    """A publisher who committed a common word as an if-decrypt "response" gains nothing: its
    per-key null probability only holds for responses drawn from the scheme's space."""
    from modelprint.commit.identity import Identity
    from modelprint.protocol.fingerprints import FingerprintPair, FingerprintSet
    from modelprint.protocol.merkle import MerkleTree
    from modelprint.protocol.records import Commitment

    identity = Identity.generate()
    honest = FingerprintSet.generate(4)
    for pair in honest.pairs():  # every generated pair has the scheme's form
        honest.scheme.check_pair(pair.key, pair.response)
    pairs = honest.pairs()
    pairs[0] = FingerprintPair(0, pairs[0].key, "the", pairs[0].salt)
    tree = MerkleTree(p.leaf_hash() for p in pairs)
    commitment = Commitment(
        root=tree.root(), count=4, scheme="if-decrypt/v1", scheme_params={"key_chars": 12},
        publisher_key=identity.public_key, model_name="m", claimed_time=0,
    )  # fmt: skip
    envelope = Envelope.sign(PayloadType.COMMITMENT, commitment.to_bytes(), identity.private_key)
    bundle = Bundle(envelope)
    challenge = Challenge.create(bundle=bundle.content_id(), count=4, first_seen=10, created=10)
    reveal = Reveal(
        challenge.digest(), bundle.content_id(), tuple(pairs), tree.multiproof(range(4))
    )
    session = ChallengeSession(bundle.commitment(), bundle.content_id())
    session.send(IssueChallenge(challenge))
    session.send(ReceiveReveal(SignedReveal.sign(reveal, identity.private_key)))
    assert session.verdict().kind == "rejected"
    assert "pair 0" in session.verdict().reasons[0]
