"""Shared test factories: a publisher with a committed fingerprint set, and its challenges.

Import these from any test package; ``tests/conftest.py`` also offers them as fixtures
(``published``, ``make_published``).
"""

from __future__ import annotations

from dataclasses import dataclass

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import Challenge, SignedReveal, create_reveal
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Commitment

__all__ = ["DAY", "T0", "Published", "publish"]

T0 = 1_735_689_600  # 2025-01-01T00:00:00Z
DAY = 86_400


@dataclass
class Published:
    identity: Identity
    fingerprints: FingerprintSet
    bundle: Bundle

    @property
    def commitment(self) -> Commitment:
        return self.bundle.commitment()

    def challenge(
        self, count: int = 8, *, first_seen: int = T0 + 30 * DAY, nonce: bytes | None = None
    ) -> Challenge:
        return Challenge.create(
            bundle=self.bundle.content_id(),
            count=count,
            first_seen=first_seen,
            created=T0 + 40 * DAY,
            nonce=nonce,
        )

    def reveal(self, challenge: Challenge) -> SignedReveal:
        return SignedReveal.sign(
            create_reveal(self.fingerprints, challenge), self.identity.private_key
        )


def publish(count: int = 64, *, secret: bytes | None = None, claimed: int = T0) -> Published:
    identity = Identity.generate()
    fps = FingerprintSet.generate(count, secret=secret)
    bundle = create_commitment(fps, identity, model_name="test-model", claimed_time=claimed)
    return Published(identity, fps, bundle)
