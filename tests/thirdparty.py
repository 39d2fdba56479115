"""Verifiers we did not write, as the export tests call them (formats of specs/export.md).

* DSSE: ``securesystemslib.dsse.Envelope`` with an Ed25519 ``SSlibKey``.
* in-toto: the ``in-toto-attestation`` bindings parse and validate the Statement.
* tlog-proof: no installable implementation parses the tlog-proof@v1 text, so the outer lines are
  split here from the spec text alone (:func:`parse_tlog_proof`); ``tlog-scales``
  (florolf/tlog-scales, which also writes tlog-proof files) checks the checkpoint, its Ed25519 note
  signature and the RFC 9162 inclusion proof. Its checkpoint reader takes no extension lines, so for
  our log's checkpoints (``time`` line) the note signature is checked by :func:`verify_note`,
  written here from c2sp.org/signed-note.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import SSlibKey
from tlog_scales.signing import Vkey
from tlog_scales.tlog import Checkpoint as ScalesCheckpoint
from tlog_scales.tlog import InclusionProof

from modelprint.protocol.envelope import key_id
from modelprint.protocol.export import INTOTO_PAYLOAD_TYPE

__all__ = [
    "parse_tlog_proof",
    "parsed_statement",
    "scales_verify",
    "sslib_key",
    "sslib_verify",
    "verify_note",
]


def sslib_key(public_key: bytes) -> SSlibKey:
    """The publisher's key as securesystemslib knows it, under our key id (hex)."""
    return SSlibKey(key_id(public_key).hex(), "ed25519", "ed25519", {"public": public_key.hex()})


def sslib_verify(data: bytes, public_key: bytes) -> bytes:
    """securesystemslib's DSSE verification; returns the payload it vouches for."""
    envelope = SslibEnvelope.from_dict(json.loads(data))
    envelope.verify([sslib_key(public_key)], 1)
    return envelope.payload


def parsed_statement(data: bytes, public_key: bytes) -> dict[str, Any]:
    """Verify the envelope (securesystemslib), validate the Statement (in-toto-attestation)."""
    envelope = SslibEnvelope.from_dict(json.loads(data))
    assert envelope.payload_type == INTOTO_PAYLOAD_TYPE
    envelope.verify([sslib_key(public_key)], 1)
    proto = json_format.Parse(envelope.payload, statement_pb2.Statement())
    Statement.copy_from_pb(proto).validate()
    value: dict[str, Any] = json.loads(envelope.payload)
    return value


def parse_tlog_proof(data: bytes) -> tuple[bytes | None, int, list[bytes], str]:
    """``(extra, index, proof hashes, checkpoint text)``, following c2sp.org/tlog-proof only."""
    text = data.decode("utf-8")
    head, sep, checkpoint = text.partition("\n\n")
    assert sep, "no empty line before the checkpoint"
    lines = head.split("\n")
    assert lines.pop(0) == "c2sp.org/tlog-proof@v1"
    extra = None
    if lines[0].startswith("extra "):
        extra = base64.b64decode(lines.pop(0)[len("extra ") :], validate=True)
    keyword, _, index = lines.pop(0).partition(" ")
    assert keyword == "index" and index.isascii() and index.isdigit()
    assert index == "0" or not index.startswith("0")
    hashes = [base64.b64decode(line, validate=True) for line in lines]
    return extra, int(index), hashes, checkpoint


def scales_verify(data: bytes, vkey: str) -> bytes:
    """tlog-scales checks the checkpoint signature and the inclusion of the ``extra`` entry."""
    extra, index, hashes, text = parse_tlog_proof(data)
    assert extra is not None
    checkpoint = ScalesCheckpoint.from_text(text)
    checkpoint.verify(Vkey.from_string(vkey))
    leaf = hashlib.sha256(b"\x00" + extra).digest()
    InclusionProof(index, checkpoint.size, hashes).check(leaf, checkpoint.root_hash)
    return extra


def verify_note(text: str, vkey: str) -> str:
    """Check a signed note against a C2SP verifier key (type 0x01 Ed25519); return its text."""
    name, hex_id, blob = vkey.strip().split("+", 2)
    raw = base64.b64decode(blob)
    assert raw[0] == 1 and len(raw) == 33
    body, _, signatures = text.rpartition("\n\n")
    for line in signatures.rstrip("\n").split("\n"):
        dash, who, sig = line.split(" ")
        blob_bytes = base64.b64decode(sig)
        if dash == "\u2014" and who == name and blob_bytes[:4].hex() == hex_id:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(
                blob_bytes[4:], (body + "\n").encode()
            )
            return body + "\n"
    raise AssertionError("no signature by the log key")
