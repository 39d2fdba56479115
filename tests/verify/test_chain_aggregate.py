"""One BLS aggregate over a chain (py_ecc: a few seconds per check, so a few real cases only)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.protocol import bls
from modelprint.protocol.errors import CommitmentError, DecodeError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.chain import verify_chain
from tests.factories import DAY, T0

POLICY = UnsafeClaimedTime()


def _chain(people: list[Identity], *, bls_key: list[bool]) -> list[Bundle]:
    bundles: list[Bundle] = []
    for i, who in enumerate(people):
        parent = bundles[-1] if bundles else None
        grant = None
        if parent is not None:
            grant = create_grant(people[i - 1], parent, grantee_key=who.public_key, terms=b"t")
        bundles.append(
            create_commitment(
                FingerprintSet.generate(8),
                who,
                model_name=f"s{i}",
                claimed_time=T0 + i * DAY,
                parent=parent,
                grant=grant,
                bls_key=bls_key[i],
            )
        )
    return bundles


@pytest.fixture(scope="module")
def people() -> list[Identity]:
    return [Identity.generate() for _ in range(3)]


@pytest.fixture(scope="module")
def signed(people: list[Identity]) -> list[Bundle]:
    return _chain(people, bls_key=[True, True, True])


def _aggregate(bundles: list[Bundle]) -> bls.ChainAggregate:
    sigs = [b.bls_signature for b in bundles]
    assert all(s is not None for s in sigs)
    return bls.ChainAggregate.of([b.content_id() for b in bundles], sigs)  # type: ignore[arg-type]


def test_one_aggregate_verifies_a_three_link_chain(signed: list[Bundle]) -> None:
    aggregate = _aggregate(signed)
    assert bls.ChainAggregate.from_bytes(aggregate.to_bytes()) == aggregate
    assert Bundle.from_bytes(signed[1].to_bytes()) == signed[1]  # the link signature round-trips
    result = verify_chain(signed, policy=POLICY, aggregate=aggregate)
    assert result.verdict == "valid" and not result.findings


def test_a_tampered_aggregate_is_rejected(signed: list[Bundle]) -> None:
    aggregate = _aggregate(signed[:2])  # a valid point, but over two links, not three
    forged = replace(_aggregate(signed), signature=aggregate.signature)
    result = verify_chain(signed, policy=POLICY, aggregate=forged)
    assert result.verdict == "rejected"
    assert [(f.code, f.link) for f in result.findings] == [("aggregate", None)]
    other_links = replace(forged, links=forged.links[:2])
    assert "other links" in verify_chain(signed, policy=POLICY, aggregate=other_links).reasons[0]


def test_a_link_without_a_registered_key_is_rejected(people: list[Identity]) -> None:
    bundles = _chain(people, bls_key=[False, True, True])
    sigs = [b.bls_signature for b in bundles[1:]]
    aggregate = bls.ChainAggregate.of([b.content_id() for b in bundles], [sigs[0], *sigs])  # type: ignore[list-item]
    result = verify_chain(bundles, policy=POLICY, aggregate=aggregate)
    assert [(f.code, f.link) for f in result.findings] == [("aggregate", 0)]
    assert "no BLS key with a proof of possession" in result.reasons[0]


def test_a_key_without_its_proof_of_possession_is_rejected() -> None:
    a, b = Identity.generate(), Identity.generate()
    key_a, key_b = bls.BlsKey.register(a.bls_secret()), bls.BlsKey.register(b.bls_secret())
    with pytest.raises(DecodeError):
        bls.BlsKey.from_bytes(bls.BlsKey(key_a.public_key, b"").to_bytes())
    with pytest.raises(Exception, match="proof of possession"):
        bls.BlsKey(key_a.public_key, key_b.proof).check()  # another key's proof


def test_a_swapped_key_fails_the_aggregate(people: list[Identity], signed: list[Bundle]) -> None:
    # the root registers the licensee's key (with its genuine proof), but signed with its own
    root = people[0]
    foreign = bls.BlsKey.register(people[1].bls_secret()).to_bytes()
    commitment = signed[0].commitment()
    swapped = replace(commitment, attachments={bls.KEY_ATTACHMENT: foreign})
    from modelprint.protocol.envelope import Envelope, PayloadType

    envelope = Envelope.sign(PayloadType.COMMITMENT, swapped.to_bytes(), root.private_key)
    b0 = Bundle(envelope=envelope, bls_signature=bls.sign_link(root.bls_secret(), b"\0" * 32))
    b0 = replace(b0, bls_signature=bls.sign_link(root.bls_secret(), b0.content_id()))
    aggregate = bls.ChainAggregate.of([b0.content_id()], [b0.bls_signature])  # type: ignore[list-item]
    result = verify_chain([b0], policy=POLICY, aggregate=aggregate)
    assert [(f.code, f.link) for f in result.findings] == [("aggregate", None)]


def test_bls_keys_are_derived_from_the_identity_and_never_shown() -> None:
    a = Identity.generate()
    assert a.bls_secret() == Identity(a.private_key).bls_secret()
    assert str(a.bls_secret()) not in repr(a)
    with pytest.raises(CommitmentError):
        bls.registered_key({})
