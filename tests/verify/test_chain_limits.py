"""Grant limits and forgeries: validity windows, sublicensing depth, terms files, wrong signers."""

from __future__ import annotations

import pytest

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.protocol.envelope import Envelope, PayloadType
from modelprint.protocol.errors import ChainError, ConfigError, DecodeError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Grant, terms_digest
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.chain import ChainResult, verify_chain
from tests.factories import DAY, T0

POLICY = UnsafeClaimedTime()


def _commit(who: Identity, time: int, parent: Bundle | None = None, grant: Envelope | None = None):
    fps = FingerprintSet.generate(8)
    return create_commitment(
        fps, who, model_name="m", claimed_time=time, parent=parent, grant=grant
    )


def _chain(n: int, *, times: list[int] | None = None, **limits: object) -> list[Bundle]:
    """A chain of ``n`` links; ``limits`` go into every grant (create_grant's keywords)."""
    times = times or [T0 + i * DAY for i in range(n)]
    people = [Identity.generate() for _ in range(n)]
    bundles = [_commit(people[0], times[0])]
    for i in range(1, n):
        grant = create_grant(
            people[i - 1], bundles[-1], grantee_key=people[i].public_key, terms=b"terms",
            issued_time=times[i - 1], **limits,  # type: ignore[arg-type]
        )  # fmt: skip
        bundles.append(_commit(people[i], times[i], bundles[-1], grant))
    return bundles


def _codes(result: ChainResult) -> list[tuple[str, int | None, bool]]:
    return [(f.code, f.link, f.fatal) for f in result.findings]


def test_a_child_inside_its_grants_window_passes() -> None:
    bundles = _chain(2, not_before=T0, not_after=T0 + 2 * DAY)
    assert verify_chain(bundles, policy=POLICY).verdict == "valid"


@pytest.mark.parametrize(
    "window,word",
    [({"not_before": T0 + 5 * DAY}, "before its grant is valid"),
     ({"not_after": T0 + DAY // 2}, "after its grant expired")],
)  # fmt: skip
def test_a_child_outside_its_grants_window_is_rejected(window: dict[str, int], word: str) -> None:
    result = verify_chain(_chain(2, **window), policy=POLICY)
    assert result.verdict == "rejected"
    assert _codes(result) == [("window", 1, True)] and word in result.reasons[0]


def test_a_window_ending_before_it_begins_is_refused() -> None:
    a, b = Identity.generate(), Identity.generate()
    with pytest.raises(ChainError):
        create_grant(a, _commit(a, T0), grantee_key=b.public_key, terms=b"t", not_before=T0 + 9,
                     not_after=T0)  # fmt: skip
    value = Grant(bytes(32), bytes(32), bytes(32), bytes(32), 1, T0).to_value()
    value.update(not_before=T0 + 9, not_after=T0)
    from modelprint.protocol import canonical

    with pytest.raises(DecodeError):
        Grant.from_bytes(canonical.encode(value))


def test_a_grant_without_limits_encodes_as_before_and_limits_round_trip() -> None:
    plain = Grant(bytes(32), bytes(32), bytes(32), bytes(32), 1, T0)
    assert set(plain.to_value()) == {
        "kind", "version", "parent", "grantor_key", "grantee_key", "terms_digest", "stage",
        "issued_time",
    }  # fmt: skip
    limited = Grant(bytes(32), bytes(32), bytes(32), bytes(32), 1, T0, T0, T0 + 1, 0)
    assert Grant.from_bytes(limited.to_bytes()) == limited


def test_create_grant_refuses_a_stage_its_parents_grant_forbids() -> None:
    a, b, c = Identity.generate(), Identity.generate(), Identity.generate()
    b0 = _commit(a, T0)
    g1 = create_grant(a, b0, grantee_key=b.public_key, terms=b"t", max_depth=0)
    b1 = _commit(b, T0 + DAY, b0, g1)
    with pytest.raises(ChainError, match="no further stage"):
        create_grant(b, b1, grantee_key=c.public_key, terms=b"t")


def test_a_stage_beyond_an_ancestors_max_depth_is_rejected() -> None:
    a, b, c, d = (Identity.generate() for _ in range(4))
    b0 = _commit(a, T0)
    g1 = create_grant(a, b0, grantee_key=b.public_key, terms=b"t", max_depth=1)
    b1 = _commit(b, T0 + DAY, b0, g1)
    g2 = create_grant(b, b1, grantee_key=c.public_key, terms=b"t", max_depth=0)
    b2 = _commit(c, T0 + 2 * DAY, b1, g2)
    # stage 3 signed by hand: create_grant would refuse it
    g3 = Grant(b2.content_id(), c.public_key, d.public_key, terms_digest(b"t"), 3, T0)
    b3 = _commit(
        d, T0 + 3 * DAY, b2, Envelope.sign(PayloadType.GRANT, g3.to_bytes(), c.private_key)
    )
    result = verify_chain([b0, b1, b2, b3], policy=POLICY)
    assert result.verdict == "rejected" and _codes(result) == [("depth", 3, True)]
    assert "link 1's grant" in result.reasons[0]  # the first ancestor whose limit it passes
    assert verify_chain([b0, b1, b2], policy=POLICY).verdict == "valid"  # within every limit


def test_terms_files_are_checked_against_each_grants_digest() -> None:
    bundles = _chain(3)
    assert verify_chain(bundles, policy=POLICY, terms={1: b"terms", 2: b"terms"}).ok
    result = verify_chain(bundles, policy=POLICY, terms={2: b"other terms"})
    assert result.verdict == "rejected" and _codes(result) == [("terms", 2, True)]
    with pytest.raises(ConfigError, match="terms for link 0"):
        verify_chain(bundles, policy=POLICY, terms={0: b"terms"})


def test_a_grant_signed_by_another_key_than_the_parent_is_rejected() -> None:
    a, b, mallory = Identity.generate(), Identity.generate(), Identity.generate()
    b0 = _commit(a, T0)
    # names the parent's key as grantor, but mallory signs it
    forged = Grant(b0.content_id(), a.public_key, b.public_key, terms_digest(b"t"), 1, T0)
    envelope = Envelope.sign(PayloadType.GRANT, forged.to_bytes(), mallory.private_key)
    b1 = Bundle(
        envelope=_commit(
            b, T0 + DAY, b0, create_grant(a, b0, grantee_key=b.public_key, terms=b"t")
        ).envelope,
        grant=envelope,
    )
    result = verify_chain([b0, b1], policy=POLICY)
    assert result.verdict == "rejected" and _codes(result)[0][:2] == ("link", 1)


def test_a_self_issued_grant_is_rejected() -> None:
    a, b = Identity.generate(), Identity.generate()
    b0 = _commit(a, T0)
    # the licensee grants itself the stage below a's commitment
    own = Grant(b0.content_id(), b.public_key, b.public_key, terms_digest(b"t"), 1, T0)
    envelope = Envelope.sign(PayloadType.GRANT, own.to_bytes(), b.private_key)
    with pytest.raises(ChainError, match="not issued by the parent's publisher"):
        _commit(b, T0 + DAY, b0, envelope)
    child = create_commitment(FingerprintSet.generate(8), b, model_name="m", claimed_time=T0 + DAY)
    from dataclasses import replace

    from modelprint.protocol.records import Commitment

    record = replace(child.commitment(), parent=b0.content_id(), grant=envelope.digest(),
                     terms_digest=own.terms_digest)  # fmt: skip
    signed = Envelope.sign(PayloadType.COMMITMENT, Commitment.to_bytes(record), b.private_key)
    result = verify_chain([b0, Bundle(envelope=signed, grant=envelope)], policy=POLICY)
    assert (
        result.verdict == "rejected" and "not issued by the parent's publisher" in result.reasons[0]
    )
