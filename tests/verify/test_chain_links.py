"""Chain links: the grant's stage is its parent's plus one and its terms are the commitment's."""

from __future__ import annotations

import pytest

from modelprint.commit.commitment import create_commitment, create_grant, terms_digest
from modelprint.commit.identity import Identity
from modelprint.protocol.envelope import Envelope, PayloadType
from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Commitment, Grant
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.chain import verify_chain
from tests.factories import DAY, T0

POLICY = UnsafeClaimedTime()


def _root() -> tuple[Identity, Bundle]:
    a = Identity.generate()
    return a, create_commitment(FingerprintSet.generate(8), a, model_name="base", claimed_time=T0)


def _signed_grant(grantor: Identity, parent: Bundle, grantee: Identity, stage: int) -> Envelope:
    grant = Grant(
        parent=parent.content_id(),
        grantor_key=grantor.public_key,
        grantee_key=grantee.public_key,
        terms_digest=terms_digest(b"terms"),
        stage=stage,
        issued_time=T0,
    )
    return Envelope.sign(PayloadType.GRANT, grant.to_bytes(), grantor.private_key)


def test_a_grant_for_the_wrong_stage_breaks_the_link() -> None:
    a, b0 = _root()
    b = Identity.generate()
    grant = _signed_grant(a, b0, b, stage=2)  # the root's child is stage 1
    b1 = create_commitment(
        FingerprintSet.generate(8), b, model_name="x", claimed_time=T0 + DAY, parent=b0, grant=grant
    )
    result = verify_chain([b0, b1], policy=POLICY)
    assert result.verdict == "rejected" and result.findings[0].code == "link"
    assert "stage 2" in result.reasons[0]


def test_a_commitment_naming_other_terms_than_its_grant_breaks_the_link() -> None:
    a, b0 = _root()
    b = Identity.generate()
    grant = create_grant(a, b0, grantee_key=b.public_key, terms=b"terms", issued_time=T0)
    fps = FingerprintSet.generate(8)
    commitment = Commitment(
        root=fps.root(), count=fps.count, scheme=fps.scheme_name,
        scheme_params=dict(fps.scheme_params), publisher_key=b.public_key, model_name="x",
        claimed_time=T0 + DAY, parent=b0.content_id(), grant=grant.digest(),
        terms_digest=terms_digest(b"other terms"),
    )  # fmt: skip
    envelope = Envelope.sign(PayloadType.COMMITMENT, commitment.to_bytes(), b.private_key)
    result = verify_chain([b0, Bundle(envelope=envelope, grant=grant)], policy=POLICY)
    assert result.verdict == "rejected" and "terms" in result.reasons[0]


def test_the_honest_chain_passes_both_checks() -> None:
    a, b0 = _root()
    b = Identity.generate()
    grant = create_grant(a, b0, grantee_key=b.public_key, terms=b"terms", issued_time="2025-01-01")
    b1 = create_commitment(
        FingerprintSet.generate(8), b, model_name="x", claimed_time=T0 + DAY, parent=b0, grant=grant
    )
    assert verify_chain([b0, b1], policy=POLICY).verdict == "valid"


def test_a_suspect_needs_one_challenge_and_reveal_per_link() -> None:
    _, b0 = _root()
    with pytest.raises(ConfigError):
        verify_chain([b0], policy=POLICY, responder=object(), challenges=[], reveals=[])  # type: ignore[arg-type]
