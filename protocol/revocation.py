"""Revocations: a grantor's signed statement that a grant no longer holds, and its time evidence.

A :class:`Revocation` names the revoked grant by its content id (of the grant's payload bytes,
whatever envelope carries it), the revoking key and a reason. It is signed in a revocation
envelope; the file (:class:`SignedRevocation`) carries the envelope and the same kinds of time
evidence as a bundle (a transparency-log inclusion proof, RFC 3161 tokens), so the verifier's
:class:`~modelprint.protocol.trust.TrustPolicy` proves when it existed. Whether a revocation
counts against a chain is :mod:`modelprint.verify.chain`'s business: only one signed by the
grant's own grantor, and only before the child's trusted time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from . import canonical
from .envelope import Envelope, PayloadType
from .errors import ConfigError, FileKindError
from .fields import document, field_bytes, field_int, field_str
from .records import MAX_TIME, content_id, evidence_fields

__all__ = ["MAX_REASON", "Revocation", "SignedRevocation"]

MAX_REASON = 1024


@dataclass(frozen=True, slots=True)
class Revocation:
    """``revoker_key`` withdraws the grant whose content id is ``grant``, for ``reason``.

    ``claimed_time`` is the revoker's own clock and never evidence; the time that counts comes
    from the evidence in the :class:`SignedRevocation` under the verifier's trust policy.
    """

    grant: bytes
    revoker_key: bytes
    reason: str
    claimed_time: int

    KIND = "modelprint/revocation"

    def __post_init__(self) -> None:
        if not 0 < len(self.reason) <= MAX_REASON:
            raise ConfigError(f"a revocation's reason is 1..{MAX_REASON} characters")

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "grant": self.grant,
            "revoker_key": self.revoker_key,
            "reason": self.reason,
            "claimed_time": self.claimed_time,
        }

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    @classmethod
    def from_bytes(cls, data: bytes) -> Revocation:
        doc = document(
            canonical.decode_document(data),
            cls.KIND,
            {"grant", "revoker_key", "reason", "claimed_time"},
        )
        return cls(
            grant=field_bytes(doc, "grant"),
            revoker_key=field_bytes(doc, "revoker_key"),
            reason=field_str(doc, "reason", MAX_REASON),
            claimed_time=field_int(doc, "claimed_time", 0, MAX_TIME),
        )


@dataclass(frozen=True, slots=True)
class SignedRevocation:
    """The revocation file: the signed revocation envelope and its time evidence."""

    envelope: Envelope
    log_proofs: tuple[dict[str, Any], ...] = ()
    timestamps: tuple[dict[str, Any], ...] = ()

    KIND = "modelprint/signed-revocation"

    def revocation(self) -> Revocation:
        """The revocation, after checking the envelope signature by its own revoker key."""
        if self.envelope.payload_type != PayloadType.REVOCATION:
            raise FileKindError("envelope does not carry a revocation")
        revocation = Revocation.from_bytes(self.envelope.payload)
        self.envelope.verify(revocation.revoker_key, payload_type=PayloadType.REVOCATION)
        return revocation

    def content_id(self) -> bytes:
        return content_id(self.envelope.payload)

    def signed_by(self) -> tuple[bytes, int]:
        revocation = self.revocation()
        return revocation.revoker_key, revocation.claimed_time

    def with_evidence(
        self,
        *,
        log_proofs: tuple[dict[str, Any], ...] | None = None,
        timestamps: tuple[dict[str, Any], ...] | None = None,
    ) -> SignedRevocation:
        return replace(
            self,
            log_proofs=self.log_proofs if log_proofs is None else log_proofs,
            timestamps=self.timestamps if timestamps is None else timestamps,
        )

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": self.KIND,
                "version": 1,
                "envelope": self.envelope.to_value(),
                "log_proofs": list(self.log_proofs),
                "timestamps": list(self.timestamps),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedRevocation:
        doc = document(
            canonical.decode_document(data), cls.KIND, {"envelope", "log_proofs", "timestamps"}
        )
        log_proofs, timestamps = evidence_fields(doc)
        return cls(
            envelope=Envelope.from_value(doc["envelope"]),
            log_proofs=log_proofs,
            timestamps=timestamps,
        )
