"""A bundle's records and log proofs in standard formats, for tools that know nothing of modelprint.

Three formats (normative text: specs/export.md):

* ``dsse`` -- a signed record (the commitment, or the grant) as a DSSE JSON envelope. modelprint
  envelopes already sign the DSSE pre-authentication encoding of the very payload bytes, so this is a
  re-encoding: the publisher's Ed25519 signature is carried over unchanged, and any DSSE verifier
  holding the publisher's key accepts it.
* ``in-toto`` -- an in-toto Statement v1 with a modelprint predicate, whose subject is the model's
  weights manifest (OpenSSF model-signing style), in a DSSE envelope of type
  ``application/vnd.in-toto+json``. The statement is a new document, so it is signed afresh, by the
  publisher's own key (no other key may speak for the commitment); it carries the original signed
  commitment inside its predicate.
* ``tlog-proof`` -- one of the bundle's log proofs as a C2SP ``tlog-proof@v1`` file: the log entry
  as ``extra`` data, the index, the inclusion proof and the checkpoint verbatim.

Everything here is bytes in, bytes out; files are written by :mod:`modelprint.runtime.export`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .envelope import Envelope, raw_public_key
from .errors import ExportError, LogError, ProofError
from .merkle import leaf_hash, root_from_inclusion
from .records import Bundle
from .timeproof import LogProof, log_entry

__all__ = [
    "FORMATS",
    "INTOTO_PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "RECORDS",
    "STATEMENT_TYPE",
    "TLOG_PROOF_HEADER",
    "WEIGHTS_ATTACHMENT",
    "dsse_json",
    "export",
    "intoto_envelope",
    "intoto_statement",
    "select_log_proof",
    "tlog_proof",
]

FORMATS = ("dsse", "in-toto", "tlog-proof")
RECORDS = ("commitment", "grant")
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://modelprint.dev/commitment/v1"
INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
WEIGHTS_ATTACHMENT = "weights-manifest/v1"
"""The commitment attachment that names the released files (see verify/whitebox/binding.py)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _json(value: Any) -> bytes:
    """The one JSON encoding of exports: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _dsse_value(envelope: Envelope) -> dict[str, Any]:
    return {
        "payload": _b64(envelope.payload),
        "payloadType": envelope.payload_type,
        "signatures": [{"keyid": s.keyid.hex(), "sig": _b64(s.sig)} for s in envelope.signatures],
    }


def dsse_json(envelope: Envelope) -> bytes:
    """``envelope`` as a DSSE JSON envelope (the same payload, type and signatures)."""
    return _json(_dsse_value(envelope)) + b"\n"


def intoto_statement(bundle: Bundle) -> dict[str, Any]:
    """The in-toto Statement v1 for ``bundle``'s commitment (checked signature first).

    The subject is the model, named by the commitment's model name, with the SHA-256 of its
    ``weights-manifest/v1`` attachment; a commitment without one has the SHA-256 of its signed
    payload as the subject digest instead, and says so in ``subjectDigestOf``.
    """
    commitment = bundle.commitment()
    manifest = commitment.attachments.get(WEIGHTS_ATTACHMENT)
    subject_bytes = manifest if manifest is not None else bundle.envelope.payload
    predicate = {
        "commitment": _dsse_value(bundle.envelope),
        "contentId": bundle.content_id().hex(),
        "count": commitment.count,
        "grant": None if bundle.grant is None else _dsse_value(bundle.grant),
        "modelName": commitment.model_name,
        "parent": None if commitment.parent is None else commitment.parent.hex(),
        "publisherKey": commitment.publisher_key.hex(),
        "root": commitment.root.hex(),
        "scheme": commitment.scheme,
        "subjectDigestOf": WEIGHTS_ATTACHMENT if manifest is not None else "commitment",
    }
    return {
        "_type": STATEMENT_TYPE,
        "predicate": predicate,
        "predicateType": PREDICATE_TYPE,
        "subject": [
            {
                "digest": {"sha256": hashlib.sha256(subject_bytes).hexdigest()},
                "name": commitment.model_name,
            }
        ],
    }


def intoto_envelope(bundle: Bundle, key: Ed25519PrivateKey) -> Envelope:
    """The statement of ``bundle`` signed with ``key``, which must be the publisher's."""
    if raw_public_key(key.public_key()) != bundle.commitment().publisher_key:
        raise ExportError("the key is not the publisher's (only the publisher signs its statement)")
    return Envelope.sign(INTOTO_PAYLOAD_TYPE, _json(intoto_statement(bundle)), key)


def select_log_proof(bundle: Bundle, origin: str | None = None) -> LogProof:
    """The bundle's log proof from log ``origin`` (the only one's, when ``origin`` is None)."""
    proofs = [LogProof.from_value(v) for v in bundle.log_proofs]
    origins = [p.unverified_checkpoint().origin for p in proofs]
    if not proofs:
        raise ExportError("the bundle carries no log proof (publish it to a log first)")
    known = ", ".join(sorted(set(origins)))
    if origin is not None:
        if origin not in origins:
            raise ExportError(f"the bundle has no proof from log {origin!r} (it has: {known})")
        return proofs[origins.index(origin)]
    if len(set(origins)) > 1:
        raise ExportError(f"the bundle has proofs from several logs ({known}); choose one")
    return proofs[0]


def tlog_proof(bundle: Bundle, proof: LogProof) -> bytes:
    """``proof`` of ``bundle`` as a C2SP tlog-proof file.

    The inclusion proof is checked against the checkpoint's root first (not its signature, which
    needs a pinned key: the reader's job), so an export never carries a proof of another entry.
    A refresh (newer checkpoint and consistency proof) has no place in the format and is left out.
    """
    entry = log_entry(bundle)
    checkpoint = proof.unverified_checkpoint()
    try:
        root = root_from_inclusion(
            leaf_hash(entry), proof.index, checkpoint.size, proof.inclusion_proof
        )
    except ProofError as exc:
        raise LogError(f"the log proof from {checkpoint.origin} does not hold: {exc}") from None
    if root != checkpoint.root:
        raise LogError(f"the log proof from {checkpoint.origin} does not lead to its root")
    lines = [TLOG_PROOF_HEADER, f"extra {_b64(entry)}", f"index {proof.index}"]
    lines += [_b64(h) for h in proof.inclusion_proof]
    return ("\n".join(lines) + "\n\n").encode("ascii") + proof.checkpoint


def export(
    bundle: Bundle,
    fmt: str,
    *,
    record: str = "commitment",
    key: Ed25519PrivateKey | None = None,
    origin: str | None = None,
) -> bytes:
    """The bytes of ``bundle`` exported as ``fmt`` (one of :data:`FORMATS`).

    ``record`` picks the envelope of a ``dsse`` export; ``key`` (the publisher's) signs an
    ``in-toto`` statement; ``origin`` picks the log of a ``tlog-proof``. Raises
    :class:`ExportError` for what the bundle or the format cannot give.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")
    bundle.commitment()  # the signature holds before anything leaves
    if fmt == "dsse":
        if record not in RECORDS:
            raise ExportError(f"unknown record {record!r} (one of: {', '.join(RECORDS)})")
        if record == "grant":
            if bundle.grant is None:
                raise ExportError("the bundle carries no grant (it is a root commitment)")
            return dsse_json(bundle.grant)
        return dsse_json(bundle.envelope)
    if fmt == "in-toto":
        if key is None:
            raise ExportError("an in-toto statement is signed afresh: give the publisher's key")
        return dsse_json(intoto_envelope(bundle, key))
    return tlog_proof(bundle, select_log_proof(bundle, origin))
