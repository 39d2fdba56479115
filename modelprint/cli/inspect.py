"""CLI: ``inspect FILE`` -- say what a modelprint file is and what it holds (never its secrets).

Every file modelprint writes or reads can be inspected: bundles, fingerprint sets, grants,
challenges, reveals, the reveal ledger, identity keys, a log's ``LOG.pub`` (C2SP verifier key or
PEM) and TSA root certificates (PEM or DER).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..commit.ledger import KIND as LEDGER_KIND
from ..commit.ledger import Ledger
from ..protocol import canonical
from ..protocol.checkpoint import NoteVerifier
from ..protocol.envelope import Envelope, PayloadType, key_id
from ..protocol.errors import DecodeError, FileKindError, ModelprintError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.hashing import Tag, tagged_hash
from ..protocol.records import Bundle, Grant
from ..protocol.times import iso
from ..runtime.files import read_bytes
from .output import Output

__all__ = ["DESCRIBERS", "describe", "register"]

Description = tuple[dict[str, Any], str]
# document kind -> describer(raw bytes) ; other modules add their kinds here
DESCRIBERS: dict[str, Callable[[bytes], Description]] = {}


def _bundle(data: bytes) -> Description:
    bundle = Bundle.from_bytes(data)
    c = bundle.commitment()  # verifies the publisher's signature
    info: dict[str, Any] = {
        "kind": "bundle",
        "content_id": bundle.content_id(),
        "model_name": c.model_name,
        "scheme": c.scheme,
        "scheme_params": c.scheme_params,
        "count": c.count,
        "root": c.root,
        "publisher_key_id": key_id(c.publisher_key),
        "claimed_time": iso(c.claimed_time),
        "parent": c.parent,
        "grant": c.grant,
        "terms_digest": c.terms_digest,
        "attachments": {
            name: {"size": len(value), "digest": tagged_hash(Tag.CONTENT_ID, value)}
            for name, value in c.attachments.items()
        },
        "signature": "valid",
        "log_proofs": len(bundle.log_proofs),
        "timestamps": len(bundle.timestamps),
    }
    lines = [
        f"bundle {info['content_id'].hex()}",
        f"  model        {c.model_name}",
        f"  fingerprints {c.count} ({c.scheme}), root {c.root.hex()}",
        f"  publisher    {info['publisher_key_id'].hex()} (signature valid)",
        f"  claimed time {info['claimed_time']} (the publisher's claim, not evidence)",
        f"  parent       {c.parent.hex() if c.parent else '-'}",
        f"  attachments  {', '.join(c.attachments) or '-'}",
        f"  evidence     {len(bundle.log_proofs)} log proof(s), {len(bundle.timestamps)} timestamp(s)",
    ]
    return info, "\n".join(lines)


def _fingerprints(data: bytes) -> Description:
    fps = FingerprintSet.from_bytes(data)
    info: dict[str, Any] = {
        "kind": "fingerprints",
        "count": fps.count,
        "scheme": fps.scheme_name,
        "scheme_params": fps.scheme_params,
        "root": fps.root(),
    }
    text = (
        f"fingerprint set (secret, not shown): {fps.count} fingerprints, scheme "
        f"{fps.scheme_name}, root {info['root'].hex()}"
    )
    return info, text


def _envelope(value: Any) -> Description:
    envelope = Envelope.from_value(value)
    if envelope.payload_type != PayloadType.GRANT:
        return {"kind": "envelope", "payload_type": envelope.payload_type}, (
            f"signed envelope ({envelope.payload_type})"
        )
    grant = Grant.from_bytes(envelope.payload)
    envelope.verify(grant.grantor_key, payload_type=PayloadType.GRANT)
    info: dict[str, Any] = {
        "kind": "grant",
        "digest": envelope.digest(),
        "parent": grant.parent,
        "grantor_key_id": key_id(grant.grantor_key),
        "grantee_key_id": key_id(grant.grantee_key),
        "terms_digest": grant.terms_digest,
        "stage": grant.stage,
        "issued_time": iso(grant.issued_time),
        "signature": "valid",
    }
    text = (
        f"grant {info['digest'].hex()}: stage {grant.stage} below {grant.parent.hex()}\n"
        f"  from {info['grantor_key_id'].hex()} to {info['grantee_key_id'].hex()}, "
        f"issued {info['issued_time']} (signature valid)"
    )
    return info, text


def _ledger(data: bytes) -> Description:
    ledger = Ledger.from_bytes(data)
    challenges = {e.challenge for e in ledger.entries}
    info: dict[str, Any] = {
        "kind": "ledger",
        "root": ledger.root,
        "burned": sorted(ledger.burned()),
        "challenges": len(challenges),
        "entries": [
            {"index": e.index, "challenge": e.challenge, "time": iso(e.time)}
            for e in ledger.entries
        ],
        "commitments": [
            {"bundle": c.bundle, "publisher_key_id": key_id(c.publisher_key)}
            for c in ledger.commitments
        ],
    }
    lines = [
        f"reveal ledger of fingerprint set {ledger.root.hex()}",
        f"  burned      {len(info['burned'])} fingerprints {info['burned']} "
        f"in answer to {len(challenges)} challenge(s)",
        *(
            f"  bundle      {c.bundle.hex()} signed by {key_id(c.publisher_key).hex()}"
            for c in ledger.commitments
        ),
    ]
    return info, "\n".join(lines)


def _vkey(data: bytes) -> Description:
    try:
        verifier = NoteVerifier.from_vkey(data.decode("ascii").strip())
    except (UnicodeDecodeError, DecodeError):
        raise FileKindError("not a modelprint file (nor a log verifier key)") from None
    info = {
        "kind": "log-public-key",
        "origin": verifier.name,
        "key_id": verifier.key_id,
        "vkey": verifier.vkey(),
    }
    return info, (
        f"transparency log verifier key (C2SP signed note) for origin {verifier.name!r}\n"
        f"  key id {verifier.key_id.hex()}; pin it with --trust-log"
    )


def _certificates(certs: list[Any]) -> Description:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    described = []
    for cert in certs:
        try:
            ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            ca = False
        described.append(
            {
                "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string(),
                "not_before": iso(int(cert.not_valid_before_utc.timestamp())),
                "not_after": iso(int(cert.not_valid_after_utc.timestamp())),
                "ca": ca,
                "sha256": cert.fingerprint(hashes.SHA256()),
            }
        )
    lines = [f"{len(described)} certificate(s); pin a TSA's root with --trust-tsa"]
    for d in described:
        lines += [
            f"  subject {d['subject']}{' (CA)' if d['ca'] else ''}",
            f"    issuer {d['issuer']}, valid {d['not_before']} to {d['not_after']}",
            f"    sha256 {d['sha256'].hex()}",
        ]
    return {"kind": "certificates", "certificates": described}, "\n".join(lines)


def _pem(data: bytes) -> Description:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if b"CERTIFICATE-----" in data:
        try:
            return _certificates(x509.load_pem_x509_certificates(data))
        except ValueError:
            raise FileKindError("unreadable PEM certificate") from None
    if b"PRIVATE KEY" in data:
        encrypted = b"ENCRYPTED" in data
        return {"kind": "private-key", "encrypted": encrypted}, (
            f"private key ({'passphrase-encrypted' if encrypted else 'unencrypted'}; not shown)"
        )
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise FileKindError("unreadable PEM file") from None
    if not isinstance(key, Ed25519PublicKey):
        raise FileKindError("not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kind": "public-key", "key_id": key_id(raw)}, f"public key {key_id(raw).hex()}"


DESCRIBERS.update(
    {Bundle.KIND: _bundle, "modelprint/fingerprints": _fingerprints, LEDGER_KIND: _ledger}
)


def describe(data: bytes) -> Description:
    """What ``data`` is and holds: any modelprint document, a key, ``LOG.pub``, a certificate."""
    if data.lstrip().startswith(b"-----BEGIN"):
        return _pem(data)
    if data[:1].isalpha() and b"+" in data[:300] and data.strip().count(b"\n") == 0:
        return _vkey(data)
    try:
        value = canonical.decode_document(data)
    except DecodeError:
        if data[:1] == b"\x30":  # maybe a DER certificate (a TSA root)
            from cryptography import x509

            try:
                return _certificates([x509.load_der_x509_certificate(data)])
            except ValueError:
                pass
        raise
    if isinstance(value, dict) and isinstance(value.get("kind"), str):
        describer = DESCRIBERS.get(value["kind"])
        if describer is None:
            raise FileKindError(f"unknown document kind {value['kind']!r}")
        return describer(data)
    if isinstance(value, dict) and "payload_type" in value:
        return _envelope(value)
    raise FileKindError("not a modelprint file")


def _inspect(args: argparse.Namespace, out: Output) -> int:
    data = read_bytes(args.file)
    try:
        info, text = describe(data)
    except ModelprintError as exc:
        raise type(exc)(f"{args.file}: {exc}") from exc
    out.result({"file": str(args.file), **info}, text)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inspect", help="show what a modelprint file holds")
    p.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a bundle, fingerprint set, grant, challenge, reveal, ledger, key, LOG.pub or "
        "certificate",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_inspect)
