"""Revocations: signed by the grantor, timed under the verifier's policy, fatal only before the
child's trusted time; anyone else's revocation is not evidence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modelprint.commit.commitment import create_commitment, create_grant, create_revocation
from modelprint.commit.identity import Identity
from modelprint.protocol.envelope import Envelope, PayloadType
from modelprint.protocol.errors import ChainError, ConfigError, SignatureError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Grant
from modelprint.protocol.revocation import Revocation, SignedRevocation
from modelprint.protocol.trust import AnyOf, UnsafeClaimedTime
from modelprint.verify.chain import verify_chain
from tests.factories import DAY, T0

POLICY = UnsafeClaimedTime()


def _chain() -> tuple[Identity, Envelope, list[Bundle]]:
    """The grantor, its grant and the chain [root, child]; the child is committed at T0 + 2 days."""
    a, b = Identity.generate(), Identity.generate()
    b0 = create_commitment(FingerprintSet.generate(8), a, model_name="base", claimed_time=T0)
    grant = create_grant(a, b0, grantee_key=b.public_key, terms=b"t", issued_time=T0)
    b1 = create_commitment(FingerprintSet.generate(8), b, model_name="lic",
                           claimed_time=T0 + 2 * DAY, parent=b0, grant=grant)  # fmt: skip
    return a, grant, [b0, b1]


def test_a_grant_revoked_before_the_childs_time_rejects_the_link_and_says_by_which() -> None:
    a, grant, bundles = _chain()
    revocation = create_revocation(a, grant, reason="unpaid", claimed_time=T0 + DAY)
    result = verify_chain(bundles, policy=POLICY, revocations={"R1.revocation": revocation})
    assert result.verdict == "rejected"
    [finding] = result.findings
    assert (finding.code, finding.link, finding.fatal) == ("revoked", 1, True)
    assert "R1.revocation" in finding.text and "unpaid" in finding.text


def test_a_revocation_after_the_childs_time_is_reported_but_not_fatal() -> None:
    a, grant, bundles = _chain()
    revocation = create_revocation(a, grant, reason="ended", claimed_time=T0 + 3 * DAY)
    result = verify_chain(bundles, policy=POLICY, revocations={"late": revocation})
    assert result.verdict == "valid"
    assert [(f.code, f.link, f.fatal) for f in result.findings] == [("revocation", 1, False)]
    assert "the link stands" in result.reasons[0]


def test_a_revocation_signed_by_anyone_but_the_grantor_is_not_evidence() -> None:
    _, grant, bundles = _chain()
    mallory = Identity.generate()
    record = Revocation(Grant.from_bytes(grant.payload).content_id(), mallory.public_key, "x", T0)
    forged = SignedRevocation(
        Envelope.sign(PayloadType.REVOCATION, record.to_bytes(), mallory.private_key)
    )
    result = verify_chain(bundles, policy=POLICY, revocations={"forged": forged})
    assert result.verdict == "valid"
    [finding] = result.findings
    assert finding.code == "revocation" and not finding.fatal
    assert "not signed by the grant's grantor" in finding.text
    with pytest.raises(ChainError, match="only the grant's grantor"):
        create_revocation(mallory, grant, reason="x")


def test_a_revocation_without_trusted_time_does_not_count() -> None:
    a, grant, bundles = _chain()
    revocation = create_revocation(a, grant, reason="x", claimed_time=T0)
    # the chain's own links are timed by the unsafe policy; the revocation needs a pinned log
    result = verify_chain(bundles, policy=POLICY, revocations={"r": revocation})
    assert result.verdict == "rejected"  # under the unsafe policy its claim counts
    result = verify_chain(bundles, policy=AnyOf(), revocations={"r": revocation},
                          require_time=False)  # fmt: skip
    assert result.verdict == "valid"
    assert any(f.code == "revocation" and "no trusted time" in f.text for f in result.findings)


def test_a_tampered_revocation_is_rejected_as_evidence() -> None:
    a, grant, bundles = _chain()
    signed = create_revocation(a, grant, reason="x", claimed_time=T0)
    record = Revocation.from_bytes(signed.envelope.payload)
    other = replace(record, reason="y").to_bytes()
    tampered = SignedRevocation(replace(signed.envelope, payload=other))
    with pytest.raises(SignatureError):
        tampered.revocation()
    assert SignedRevocation.from_bytes(signed.to_bytes()) == signed
    result = verify_chain(bundles, policy=POLICY, revocations={"t": tampered})
    assert result.verdict == "valid" and not result.findings[0].fatal


def test_a_revocation_names_the_grant_and_has_a_reason() -> None:
    a, grant, _ = _chain()
    with pytest.raises(ConfigError):
        create_revocation(a, grant, reason="")
    revocation = create_revocation(a, grant, reason="x").revocation()
    assert revocation.grant == Grant.from_bytes(grant.payload).content_id()
