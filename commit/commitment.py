"""Building, signing and storing commitments and grants."""

from __future__ import annotations

import time as _time
from collections.abc import Mapping

from ..protocol.envelope import Envelope, PayloadType
from ..protocol.errors import ChainError, InputError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.hashing import Tag, tagged_hash
from ..protocol.records import Bundle, Commitment, Grant, verify_grant
from ..protocol.times import TimeLike, to_unix
from .identity import Identity

__all__ = ["create_commitment", "create_grant", "terms_digest"]


def _now() -> int:
    return int(_time.time())


def terms_digest(terms: bytes) -> bytes:
    """Digest of a license-terms document (any bytes)."""
    return tagged_hash(Tag.TERMS, terms)


def create_commitment(
    fingerprints: FingerprintSet,
    identity: Identity,
    *,
    model_name: str,
    claimed_time: TimeLike | None = None,
    parent: Bundle | None = None,
    grant: Envelope | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> Bundle:
    """Commit to ``fingerprints`` under ``identity``; returns a bundle without time evidence.

    For a licensee's stage pass the parent's bundle and the grant the parent signed for
    ``identity``; the grant is checked before anything is signed. ``claimed_time`` (default: now)
    is the publisher's own clock, never evidence.
    """
    parent_id = grant_digest = terms = None
    if (parent is None) != (grant is None):
        raise InputError("a parent bundle and its grant go together")
    if parent is not None and grant is not None:
        parent_commitment = parent.commitment()
        grant_record = verify_grant(grant, parent_commitment, parent.content_id())
        if grant_record.grantee_key != identity.public_key:
            raise ChainError("the grant was issued to another key")
        parent_id, grant_digest, terms = (
            parent.content_id(),
            grant.digest(),
            grant_record.terms_digest,
        )
    commitment = Commitment(
        root=fingerprints.root(),
        count=fingerprints.count,
        scheme=fingerprints.scheme_name,
        scheme_params=dict(fingerprints.scheme_params),
        publisher_key=identity.public_key,
        model_name=model_name,
        claimed_time=_now() if claimed_time is None else to_unix(claimed_time, what="claimed time"),
        parent=parent_id,
        grant=grant_digest,
        terms_digest=terms,
        attachments=dict(attachments or {}),
    )
    envelope = Envelope.sign(PayloadType.COMMITMENT, commitment.to_bytes(), identity.private_key)
    return Bundle(envelope=envelope, grant=grant)


def create_grant(
    identity: Identity,
    parent: Bundle,
    *,
    grantee_key: bytes,
    terms: bytes,
    issued_time: TimeLike | None = None,
) -> Envelope:
    """The parent's signed grant letting ``grantee_key`` add the next stage below ``parent``."""
    parent_commitment = parent.commitment()
    if parent_commitment.publisher_key != identity.public_key:
        raise ChainError("only the parent commitment's publisher can grant below it")
    stage = 1
    if parent.grant is not None:
        stage = Grant.from_bytes(parent.grant.payload).stage + 1
    grant = Grant(
        parent=parent.content_id(),
        grantor_key=identity.public_key,
        grantee_key=grantee_key,
        terms_digest=terms_digest(terms),
        stage=stage,
        issued_time=_now() if issued_time is None else to_unix(issued_time, what="issue time"),
    )
    return Envelope.sign(PayloadType.GRANT, grant.to_bytes(), identity.private_key)
