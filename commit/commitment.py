"""Building and signing commitments, grants and revocations."""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from dataclasses import replace

from ..protocol import bls
from ..protocol.envelope import Envelope, PayloadType
from ..protocol.errors import ChainError, ConfigError, InputError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.records import MAX_DEPTH, Bundle, Commitment, Grant, terms_digest, verify_grant
from ..protocol.revocation import Revocation, SignedRevocation
from ..protocol.times import TimeLike, to_unix
from .identity import Identity

__all__ = ["create_commitment", "create_grant", "create_revocation", "terms_digest"]


def _now() -> int:
    return int(_time.time())


def create_commitment(
    fingerprints: FingerprintSet,
    identity: Identity,
    *,
    model_name: str,
    claimed_time: TimeLike | None = None,
    parent: Bundle | None = None,
    grant: Envelope | None = None,
    attachments: Mapping[str, bytes] | None = None,
    bls_key: bool = False,
) -> Bundle:
    """Commit to ``fingerprints`` under ``identity``; returns a bundle without time evidence.

    For a licensee's stage pass the parent's bundle and the grant the parent signed for
    ``identity``; the grant is checked before anything is signed. ``claimed_time`` (default: now)
    is the publisher's own clock, never evidence. ``bls_key`` registers the identity's BLS key
    (with its proof of possession) in the commitment and BLS-signs the link, so the bundle can
    join a chain's aggregate signature (:mod:`modelprint.protocol.bls`; about a second of py_ecc).
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
    extra = dict(attachments or {})
    secret = identity.bls_secret() if bls_key else None
    if secret is not None:
        extra[bls.KEY_ATTACHMENT] = bls.BlsKey.register(secret).to_bytes()
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
        attachments=extra,
    )
    envelope = Envelope.sign(PayloadType.COMMITMENT, commitment.to_bytes(), identity.private_key)
    bundle = Bundle(envelope=envelope, grant=grant)
    if secret is not None:
        bundle = replace(bundle, bls_signature=bls.sign_link(secret, bundle.content_id()))
    return bundle


def create_grant(
    identity: Identity,
    parent: Bundle,
    *,
    grantee_key: bytes,
    terms: bytes,
    issued_time: TimeLike | None = None,
    not_before: TimeLike | None = None,
    not_after: TimeLike | None = None,
    max_depth: int | None = None,
) -> Envelope:
    """The parent's signed grant letting ``grantee_key`` add the next stage below ``parent``.

    The limits are optional: the child's trusted time must lie in ``not_before..not_after``, and
    at most ``max_depth`` further stages may follow below the child. A grant that the parent's own
    grant does not allow (no further stage, or a deeper limit than the parent's) is refused.
    """
    parent_commitment = parent.commitment()
    if parent_commitment.publisher_key != identity.public_key:
        raise ChainError("only the parent commitment's publisher can grant below it")
    if max_depth is not None and not 0 <= max_depth <= MAX_DEPTH:
        raise ConfigError(f"max depth: {max_depth} is not in 0..{MAX_DEPTH}")
    stage = 1
    if parent.grant is not None:
        above = Grant.from_bytes(parent.grant.payload)
        stage = above.stage + 1
        if above.max_depth is not None:
            allowed = above.max_depth - 1  # stages the parent's grant leaves below the new child
            if allowed < 0:
                raise ChainError("the parent's own grant allows no further stage")
            if max_depth is None or max_depth > allowed:
                raise ChainError(
                    f"the parent's own grant leaves at most {allowed} further stages below this "
                    f"child; give --max-depth {allowed} or less"
                )
    grant = Grant(
        parent=parent.content_id(),
        grantor_key=identity.public_key,
        grantee_key=grantee_key,
        terms_digest=terms_digest(terms),
        stage=stage,
        issued_time=_now() if issued_time is None else to_unix(issued_time, what="issue time"),
        not_before=None if not_before is None else to_unix(not_before, what="not before"),
        not_after=None if not_after is None else to_unix(not_after, what="not after"),
        max_depth=max_depth,
    )
    return Envelope.sign(PayloadType.GRANT, grant.to_bytes(), identity.private_key)


def create_revocation(
    identity: Identity, grant: Envelope, *, reason: str, claimed_time: TimeLike | None = None
) -> SignedRevocation:
    """The grantor's signed revocation of ``grant`` (without time evidence: publish it to a log).

    Only the grant's own grantor can revoke it; the grant's signature is checked first.
    """
    if grant.payload_type != PayloadType.GRANT:
        raise InputError("only a grant can be revoked")
    record = Grant.from_bytes(grant.payload)
    grant.verify(record.grantor_key, payload_type=PayloadType.GRANT)
    if record.grantor_key != identity.public_key:
        raise ChainError("only the grant's grantor can revoke it")
    revocation = Revocation(
        grant=record.content_id(),
        revoker_key=identity.public_key,
        reason=reason,
        claimed_time=_now() if claimed_time is None else to_unix(claimed_time, what="claimed time"),
    )
    envelope = Envelope.sign(PayloadType.REVOCATION, revocation.to_bytes(), identity.private_key)
    return SignedRevocation(envelope=envelope)
