"""The signed records: commitments and grants, and the bundle that carries them.

Each record is a frozen dataclass with a canonical msgpack form (``to_bytes``/``from_bytes``) that
names its kind and version; decoding checks the exact field set and every field's type and bounds.
A record's content id is ``tagged_hash(CONTENT_ID, canonical bytes)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, Self

from . import canonical
from .envelope import Envelope, PayloadType
from .errors import ChainError, CommitmentError, DecodeError, FileKindError
from .fields import (
    document,
    field_bytes,
    field_int,
    field_list,
    field_map,
    field_opt_bytes,
    field_str,
)
from .hashing import Tag, tagged_hash
from .schemes import get_scheme
from .times import MAX_TIME

__all__ = [
    "MAX_DEPTH",
    "MAX_TIME",
    "Bundle",
    "Commitment",
    "Evidenced",
    "Grant",
    "content_id",
    "evidence_fields",
    "terms_digest",
    "verify_grant",
]

MAX_NAME = 256
MAX_ATTACHMENTS = 16
MAX_ATTACHMENT = 256 * 1024
MAX_EVIDENCE = 64
MAX_DEPTH = 1024
BLS_SIGNATURE_SIZE = 96


def content_id(record_bytes: bytes) -> bytes:
    return tagged_hash(Tag.CONTENT_ID, record_bytes)


def terms_digest(terms: bytes) -> bytes:
    """Digest of a license-terms document (any bytes): ``tagged_hash(TERMS, terms)``."""
    return tagged_hash(Tag.TERMS, terms)


@dataclass(frozen=True, slots=True)
class Commitment:
    """A publisher's signed statement: "I hold these ``count`` fingerprints, rooted at ``root``".

    ``claimed_time`` is the publisher's own clock and is never evidence of time; trusted time comes
    from transparency logs and RFC 3161 tokens. ``parent`` and ``grant`` link a licensee's
    commitment to its parent's (content id) and to the grant the parent signed (envelope digest).
    ``attachments`` binds optional evidence (white-box invariants, a weights manifest) to the same
    signature and trusted time.
    """

    root: bytes
    count: int
    scheme: str
    scheme_params: dict[str, int | str]
    publisher_key: bytes
    model_name: str
    claimed_time: int
    parent: bytes | None = None
    grant: bytes | None = None
    terms_digest: bytes | None = None
    attachments: dict[str, bytes] = field(default_factory=dict)

    KIND = "modelprint/commitment"

    def __post_init__(self) -> None:
        if (self.parent is None) != (self.grant is None):
            raise CommitmentError("a commitment names both a parent and a grant, or neither")

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "root": self.root,
            "count": self.count,
            "scheme": self.scheme,
            "scheme_params": dict(self.scheme_params),
            "publisher_key": self.publisher_key,
            "model_name": self.model_name,
            "claimed_time": self.claimed_time,
            "parent": self.parent,
            "grant": self.grant,
            "terms_digest": self.terms_digest,
            "attachments": dict(self.attachments),
        }

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    def content_id(self) -> bytes:
        return content_id(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Commitment:
        doc = document(
            canonical.decode_document(data),
            cls.KIND,
            {
                "root", "count", "scheme", "scheme_params", "publisher_key", "model_name",
                "claimed_time", "parent", "grant", "terms_digest", "attachments",
            },
        )  # fmt: skip
        params = field_map(doc, "scheme_params", MAX_ATTACHMENTS)
        scheme = field_str(doc, "scheme", MAX_NAME)
        get_scheme(scheme, params)  # unknown schemes and bad parameters raise here
        attachments = field_map(doc, "attachments", MAX_ATTACHMENTS)
        for name, value in attachments.items():
            if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
                raise DecodeError("attachment names are 1..256 characters")
            if not isinstance(value, bytes) or len(value) > MAX_ATTACHMENT:
                raise DecodeError(f"attachment {name!r} must be at most {MAX_ATTACHMENT} bytes")
        try:
            return cls(
                root=field_bytes(doc, "root"),
                count=field_int(doc, "count", 1, 1 << 20),
                scheme=scheme,
                scheme_params=params,
                publisher_key=field_bytes(doc, "publisher_key"),
                model_name=field_str(doc, "model_name", MAX_NAME),
                claimed_time=field_int(doc, "claimed_time", 0, MAX_TIME),
                parent=field_opt_bytes(doc, "parent"),
                grant=field_opt_bytes(doc, "grant"),
                terms_digest=field_opt_bytes(doc, "terms_digest"),
                attachments=attachments,
            )
        except CommitmentError as exc:
            raise DecodeError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Grant:
    """A parent's signed permission for a licensee key to add a stage below its commitment.

    The limits are optional (absent: no limit; absent fields are not encoded, so a grant without
    limits has the same bytes as before they existed): the child's trusted time must lie in
    ``not_before..not_after`` (unix seconds, inclusive), and at most ``max_depth`` further stages
    may follow below the child (0: the child may not sublicense).
    """

    parent: bytes
    grantor_key: bytes
    grantee_key: bytes
    terms_digest: bytes
    stage: int
    issued_time: int
    not_before: int | None = None
    not_after: int | None = None
    max_depth: int | None = None

    KIND = "modelprint/grant"
    LIMITS = ("not_before", "not_after", "max_depth")

    def __post_init__(self) -> None:
        if (
            self.not_before is not None
            and self.not_after is not None
            and self.not_after < self.not_before
        ):
            raise ChainError("a grant's not_after lies before its not_before")

    def content_id(self) -> bytes:
        """The grant's content id (of its payload bytes, whatever envelope carries it)."""
        return content_id(self.to_bytes())

    def to_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "kind": self.KIND,
            "version": 1,
            "parent": self.parent,
            "grantor_key": self.grantor_key,
            "grantee_key": self.grantee_key,
            "terms_digest": self.terms_digest,
            "stage": self.stage,
            "issued_time": self.issued_time,
        }
        for name in self.LIMITS:
            if getattr(self, name) is not None:
                value[name] = getattr(self, name)
        return value

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    @classmethod
    def from_bytes(cls, data: bytes) -> Grant:
        doc = document(
            canonical.decode_document(data),
            cls.KIND,
            {"parent", "grantor_key", "grantee_key", "terms_digest", "stage", "issued_time"},
            set(cls.LIMITS),
        )
        limits = {
            name: field_int(doc, name, 0, MAX_DEPTH if name == "max_depth" else MAX_TIME)
            for name in cls.LIMITS
            if name in doc
        }
        try:
            return cls(
                parent=field_bytes(doc, "parent"),
                grantor_key=field_bytes(doc, "grantor_key"),
                grantee_key=field_bytes(doc, "grantee_key"),
                terms_digest=field_bytes(doc, "terms_digest"),
                stage=field_int(doc, "stage", 1, MAX_DEPTH),
                issued_time=field_int(doc, "issued_time", 0, MAX_TIME),
                **limits,
            )
        except ChainError as exc:
            raise DecodeError(str(exc)) from exc


class Evidenced(Protocol):
    """A signed record and the time evidence gathered for it: a :class:`Bundle`, or a signed
    revocation (:mod:`modelprint.protocol.revocation`). Trust policies prove times of either."""

    @property
    def envelope(self) -> Envelope: ...

    @property
    def log_proofs(self) -> tuple[dict[str, Any], ...]: ...

    @property
    def timestamps(self) -> tuple[dict[str, Any], ...]: ...

    def content_id(self) -> bytes:
        """The content id of the signed payload."""
        ...

    def signed_by(self) -> tuple[bytes, int]:
        """The signer's public key and claimed time, after checking the signature by that key."""
        ...

    def with_evidence(
        self,
        *,
        log_proofs: tuple[dict[str, Any], ...] | None = None,
        timestamps: tuple[dict[str, Any], ...] | None = None,
    ) -> Self:
        """The same record with other evidence."""
        ...


@dataclass(frozen=True, slots=True)
class Bundle:
    """The publishable file: a signed commitment, its grant, and time evidence gathered later.

    ``log_proofs`` and ``timestamps`` are canonical maps defined by the time-evidence records
    (transparency-log inclusion proofs with checkpoints; RFC 3161 tokens); they are not covered by
    the commitment signature and are each verified on their own. ``bls_signature`` (optional, not
    encoded when absent) is the publisher's BLS signature over its link, under the BLS key its
    commitment registers (:mod:`modelprint.protocol.bls`); it is checked only in an aggregate.
    """

    envelope: Envelope
    grant: Envelope | None = None
    log_proofs: tuple[dict[str, Any], ...] = ()
    timestamps: tuple[dict[str, Any], ...] = ()
    bls_signature: bytes | None = None

    KIND = "modelprint/bundle"

    def commitment(self) -> Commitment:
        """The commitment, after checking the envelope signature by its own publisher key."""
        if self.envelope.payload_type != PayloadType.COMMITMENT:
            raise FileKindError("bundle envelope does not carry a commitment")
        commitment = Commitment.from_bytes(self.envelope.payload)
        self.envelope.verify(commitment.publisher_key, payload_type=PayloadType.COMMITMENT)
        return commitment

    def content_id(self) -> bytes:
        return content_id(self.envelope.payload)

    def signed_by(self) -> tuple[bytes, int]:
        commitment = self.commitment()
        return commitment.publisher_key, commitment.claimed_time

    def with_evidence(
        self,
        *,
        log_proofs: tuple[dict[str, Any], ...] | None = None,
        timestamps: tuple[dict[str, Any], ...] | None = None,
    ) -> Bundle:
        return replace(
            self,
            log_proofs=self.log_proofs if log_proofs is None else log_proofs,
            timestamps=self.timestamps if timestamps is None else timestamps,
        )

    def to_bytes(self) -> bytes:
        value: dict[str, Any] = {
            "kind": self.KIND,
            "version": 1,
            "envelope": self.envelope.to_value(),
            "grant": None if self.grant is None else self.grant.to_value(),
            "log_proofs": list(self.log_proofs),
            "timestamps": list(self.timestamps),
        }
        if self.bls_signature is not None:
            value["bls_signature"] = self.bls_signature
        return canonical.encode(value)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bundle:
        doc = document(
            canonical.decode_document(data),
            cls.KIND,
            {"envelope", "grant", "log_proofs", "timestamps"},
            {"bls_signature"},
        )
        log_proofs, timestamps = evidence_fields(doc)
        return cls(
            envelope=Envelope.from_value(doc["envelope"]),
            grant=None if doc["grant"] is None else Envelope.from_value(doc["grant"]),
            log_proofs=log_proofs,
            timestamps=timestamps,
            bls_signature=(
                field_bytes(doc, "bls_signature", BLS_SIGNATURE_SIZE)
                if "bls_signature" in doc
                else None
            ),
        )


def evidence_fields(
    doc: dict[str, Any],
) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The ``log_proofs`` and ``timestamps`` lists of a decoded evidenced document (maps only;
    each map is decoded by :mod:`modelprint.protocol.timeproof` when it is checked)."""
    evidence: list[tuple[dict[str, Any], ...]] = []
    for name in ("log_proofs", "timestamps"):
        items = field_list(doc, name, MAX_EVIDENCE)
        if not all(isinstance(item, dict) for item in items):
            raise DecodeError(f"field {name!r} must hold maps")
        evidence.append(tuple(items))
    return evidence[0], evidence[1]


def verify_grant(envelope: Envelope, parent: Commitment, parent_id: bytes) -> Grant:
    """Check a grant's signature by the parent's publisher and that it names ``parent_id``.

    Raises :class:`FileKindError` for an envelope that carries no grant, :class:`ChainError` for
    a grant by another key or below another commitment, :class:`SignatureError` for a bad
    signature. Stage and terms are the chain's business (``modelprint.verify.chain``).
    """
    if envelope.payload_type != PayloadType.GRANT:
        raise FileKindError("envelope does not carry a grant")
    grant = Grant.from_bytes(envelope.payload)
    if grant.grantor_key != parent.publisher_key:
        raise ChainError("the grant was not issued by the parent's publisher")
    envelope.verify(parent.publisher_key, payload_type=PayloadType.GRANT)
    if grant.parent != parent_id:
        raise ChainError("the grant names another parent commitment")
    return grant
