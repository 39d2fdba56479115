"""The signed records: commitments and grants, and the bundle that carries them.

Each record is a frozen dataclass with a canonical msgpack form (``to_bytes``/``from_bytes``) that
names its kind and version; decoding checks the exact field set and every field's type and bounds.
A record's content id is ``tagged_hash(CONTENT_ID, canonical bytes)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import canonical
from .envelope import Envelope, PayloadType
from .errors import CommitmentError, DecodeError, FileKindError, UnsupportedVersionError
from .hashing import Tag, tagged_hash
from .schemes import get_scheme

__all__ = ["Bundle", "Commitment", "Grant", "content_id", "parse_document"]

MAX_NAME = 256
MAX_ATTACHMENTS = 16
MAX_ATTACHMENT = 256 * 1024
MAX_EVIDENCE = 64
MAX_TIME = 2**40  # seconds since the epoch; far beyond any real date


def content_id(record_bytes: bytes) -> bytes:
    return tagged_hash(Tag.CONTENT_ID, record_bytes)


def parse_document(
    value: object,
    kind: str,
    required: set[str],
    optional: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Check a decoded document's kind, version and field set; return it as a dict."""
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise FileKindError(f"not a {kind} document")
    if value["kind"] != kind:
        raise FileKindError(f"expected {kind}, found {value['kind']}")
    if value.get("version") != 1:
        raise UnsupportedVersionError(f"{kind} version {value.get('version')!r} is not supported")
    keys = set(value)
    allowed = required | optional | {"kind", "version"}
    if not required <= keys or not keys <= allowed:
        raise DecodeError(f"{kind}: unexpected or missing fields")
    return value


def _bytes(doc: Mapping[str, Any], name: str, size: int | None = 32) -> bytes:
    v = doc.get(name)
    if not isinstance(v, bytes) or (size is not None and len(v) != size):
        raise DecodeError(f"field {name!r} must be {size or 'some'} bytes")
    return v


def _opt_bytes(doc: Mapping[str, Any], name: str) -> bytes | None:
    return None if doc.get(name) is None else _bytes(doc, name)


def _int(doc: Mapping[str, Any], name: str, lo: int, hi: int) -> int:
    v = doc.get(name)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise DecodeError(f"field {name!r} must be an integer in {lo}..{hi}")
    return v


def _str(doc: Mapping[str, Any], name: str, max_len: int = MAX_NAME) -> str:
    v = doc.get(name)
    if not isinstance(v, str) or not 0 < len(v) <= max_len:
        raise DecodeError(f"field {name!r} must be a string of 1..{max_len} characters")
    return v


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
        doc = parse_document(
            canonical.decode_document(data),
            cls.KIND,
            {
                "root", "count", "scheme", "scheme_params", "publisher_key", "model_name",
                "claimed_time", "parent", "grant", "terms_digest", "attachments",
            },
        )  # fmt: skip
        params = doc["scheme_params"]
        if not isinstance(params, dict):
            raise DecodeError("field 'scheme_params' must be a map")
        scheme = _str(doc, "scheme")
        get_scheme(scheme, params)  # unknown schemes and bad parameters raise here
        attachments = doc["attachments"]
        if not isinstance(attachments, dict) or len(attachments) > MAX_ATTACHMENTS:
            raise DecodeError("field 'attachments' must be a map of at most 16 entries")
        for name, value in attachments.items():
            if not 0 < len(name) <= MAX_NAME:
                raise DecodeError("attachment names are 1..256 characters")
            if not isinstance(value, bytes) or len(value) > MAX_ATTACHMENT:
                raise DecodeError(f"attachment {name!r} must be at most {MAX_ATTACHMENT} bytes")
        try:
            return cls(
                root=_bytes(doc, "root"),
                count=_int(doc, "count", 1, 1 << 20),
                scheme=scheme,
                scheme_params=params,
                publisher_key=_bytes(doc, "publisher_key"),
                model_name=_str(doc, "model_name"),
                claimed_time=_int(doc, "claimed_time", 0, MAX_TIME),
                parent=_opt_bytes(doc, "parent"),
                grant=_opt_bytes(doc, "grant"),
                terms_digest=_opt_bytes(doc, "terms_digest"),
                attachments=attachments,
            )
        except CommitmentError as exc:
            raise DecodeError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Grant:
    """A parent's signed permission for a licensee key to add a stage below its commitment."""

    parent: bytes
    grantor_key: bytes
    grantee_key: bytes
    terms_digest: bytes
    stage: int
    issued_time: int

    KIND = "modelprint/grant"

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "version": 1,
            "parent": self.parent,
            "grantor_key": self.grantor_key,
            "grantee_key": self.grantee_key,
            "terms_digest": self.terms_digest,
            "stage": self.stage,
            "issued_time": self.issued_time,
        }

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_value())

    @classmethod
    def from_bytes(cls, data: bytes) -> Grant:
        doc = parse_document(
            canonical.decode_document(data),
            cls.KIND,
            {"parent", "grantor_key", "grantee_key", "terms_digest", "stage", "issued_time"},
        )
        return cls(
            parent=_bytes(doc, "parent"),
            grantor_key=_bytes(doc, "grantor_key"),
            grantee_key=_bytes(doc, "grantee_key"),
            terms_digest=_bytes(doc, "terms_digest"),
            stage=_int(doc, "stage", 1, 1024),
            issued_time=_int(doc, "issued_time", 0, MAX_TIME),
        )


@dataclass(frozen=True, slots=True)
class Bundle:
    """The publishable file: a signed commitment, its grant, and time evidence gathered later.

    ``log_proofs`` and ``timestamps`` are canonical maps defined by the time-evidence records
    (transparency-log inclusion proofs with checkpoints; RFC 3161 tokens); they are not covered by
    the commitment signature and are each verified on their own.
    """

    envelope: Envelope
    grant: Envelope | None = None
    log_proofs: tuple[dict[str, Any], ...] = ()
    timestamps: tuple[dict[str, Any], ...] = ()

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

    def with_evidence(
        self,
        *,
        log_proofs: tuple[dict[str, Any], ...] | None = None,
        timestamps: tuple[dict[str, Any], ...] | None = None,
    ) -> Bundle:
        return Bundle(
            envelope=self.envelope,
            grant=self.grant,
            log_proofs=self.log_proofs if log_proofs is None else log_proofs,
            timestamps=self.timestamps if timestamps is None else timestamps,
        )

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": self.KIND,
                "version": 1,
                "envelope": self.envelope.to_value(),
                "grant": None if self.grant is None else self.grant.to_value(),
                "log_proofs": list(self.log_proofs),
                "timestamps": list(self.timestamps),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Bundle:
        doc = parse_document(
            canonical.decode_document(data),
            cls.KIND,
            {"envelope", "grant", "log_proofs", "timestamps"},
        )
        evidence: list[tuple[dict[str, Any], ...]] = []
        for name in ("log_proofs", "timestamps"):
            items = doc[name]
            if not isinstance(items, list) or len(items) > MAX_EVIDENCE:
                raise DecodeError(f"field {name!r} must be a list of at most {MAX_EVIDENCE}")
            if not all(isinstance(item, dict) for item in items):
                raise DecodeError(f"field {name!r} must hold maps")
            evidence.append(tuple(items))
        return cls(
            envelope=Envelope.from_value(doc["envelope"]),
            grant=None if doc["grant"] is None else Envelope.from_value(doc["grant"]),
            log_proofs=evidence[0],
            timestamps=evidence[1],
        )
