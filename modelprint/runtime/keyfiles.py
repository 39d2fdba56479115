"""Key files, read in one place: identities, public keys, pinned log keys, TSA roots, log signers.

Every loader first recognises what kind of file it was handed (a private key, a public key, a
signed-note key string, a certificate) and says so when it is the wrong kind, before it judges a
secret file's permissions; errors name the file and never show key material.

* ``ID.key`` -- PKCS#8 PEM Ed25519 private key (optionally passphrase-encrypted), mode 0600.
* ``ID.pub`` -- SubjectPublicKeyInfo PEM (or 64 hex characters) Ed25519 public key.
* ``LOG.pub`` -- a C2SP signed-note verifier key string, or an Ed25519 public key in PEM.
* ``LOG.key`` -- the log's PEM private key, or a ``PRIVATE+KEY+...`` note signer key string.
* ``ROOT.pem`` -- the TSA root certificate(s), PEM or DER.
* ``W.pub`` -- a witness's C2SP verifier key string of type 0x04 (``cosignature/v1``);
  ``W.key`` -- its PEM private key (``witness keygen``), named by ``W.pub`` beside it.

:func:`load_trust_policy` turns ``--trust-log``/``--trust-tsa``/``--trust-witness`` files into the one
:class:`~modelprint.protocol.trust.TrustPolicy` every verb takes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..protocol.checkpoint import NoteSigner, NoteVerifier
from ..protocol.cosignature import ALG_COSIGNATURE_V1, WitnessSigner, WitnessVerifier
from ..protocol.envelope import raw_public_key
from ..protocol.errors import ConfigError, DecodeError, InputError, KeyFileError, PassphraseError
from ..protocol.trust import (
    AnyOf,
    PinnedLog,
    PinnedTSA,
    PinnedWitness,
    TrustPolicy,
    UnsafeClaimedTime,
    WitnessQuorum,
)
from .files import check_private_mode, read_bytes, write_atomic

__all__ = [
    "PASSPHRASE_ENV",
    "load_log_key",
    "load_log_signer",
    "load_private_key",
    "load_public_key",
    "load_trust_policy",
    "load_tsa_roots",
    "load_witness_key",
    "load_witness_signer",
    "public_key_path",
    "save_key_pair",
]

PASSPHRASE_ENV = "MODELPRINT_PASSPHRASE"
MAX_KEY_FILE = 64 * 1024
MAX_CERT_FILE = 1024 * 1024


def public_key_path(key_path: str | os.PathLike[str]) -> Path:
    """Where the public half of ``key_path`` lives: ``ID.key`` -> ``ID.pub``."""
    p = Path(key_path)
    return p.with_suffix(".pub") if p.suffix == ".key" else p.with_name(p.name + ".pub")


def _kind(data: bytes) -> str:
    """What a key file looks like: private, public, vkey, skey, certificate, or unknown."""
    text = data.lstrip()
    if text.startswith(b"-----BEGIN"):
        if b"PRIVATE KEY-----" in text:
            return "private"
        if b"PUBLIC KEY-----" in text:
            return "public"
        if b"CERTIFICATE-----" in text:
            return "certificate"
        return "pem"
    if text.startswith(b"PRIVATE+KEY+"):
        return "skey"
    if b"+" in text[:300] and text.count(b"\n") <= 1:
        return "vkey"
    if len(text.strip()) == 64:
        return "hex"
    return "unknown"


_WRONG = {
    "public": "a public key, not a private key; pass the .key file",
    "vkey": "a log verifier key (LOG.pub), not a private key; pass the .key file",
    "certificate": "a certificate, not a key",
    "skey": "a note signer key (a log's private key), not an identity",
}


def load_private_key(
    path: str | os.PathLike[str], *, passphrase: bytes | None = None
) -> Ed25519PrivateKey:
    """Read an Ed25519 private key (``ID.key``); refuses other kinds, then open permissions."""
    data = read_bytes(path, max_size=MAX_KEY_FILE)
    kind = _kind(data)
    if kind != "private":
        raise KeyFileError(f"{path}: {_WRONG.get(kind, 'not a PEM private key')}")
    check_private_mode(path)
    if passphrase is None and os.environ.get(PASSPHRASE_ENV):
        passphrase = os.environ[PASSPHRASE_ENV].encode()
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    if encrypted and not passphrase:
        raise PassphraseError(f"{path}: key is encrypted; set {PASSPHRASE_ENV}")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except UnsupportedAlgorithm:
        raise KeyFileError(f"{path}: a private key of an algorithm modelprint cannot use") from None
    except (ValueError, TypeError):
        if encrypted:
            raise PassphraseError(f"{path}: wrong passphrase") from None
        raise KeyFileError(f"{path}: unreadable private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key (modelprint signs with Ed25519)")
    return key


def load_public_key(path: str | os.PathLike[str]) -> bytes:
    """Read an Ed25519 public key (PEM, or 64 hex characters) and return its 32 raw bytes."""
    data = read_bytes(path, max_size=MAX_KEY_FILE)
    kind = _kind(data)
    if kind == "hex":
        try:
            return bytes.fromhex(data.strip().decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    if kind == "private":
        raise KeyFileError(f"{path}: a private key, not a public key; pass the .pub file")
    try:
        key = serialization.load_pem_public_key(data)
    except UnsupportedAlgorithm:
        raise KeyFileError(f"{path}: a public key of an algorithm modelprint cannot use") from None
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key")
    return raw_public_key(key)


def load_log_key(path: str | os.PathLike[str]) -> PinnedLog:
    """Read ``LOG.pub``: a C2SP verifier key string, or an Ed25519 public key in PEM."""
    data = read_bytes(path, max_size=MAX_KEY_FILE)
    kind = _kind(data)
    if kind in ("public", "hex"):
        return PinnedLog(load_public_key(path), None, str(path))
    if kind in ("private", "skey"):
        raise KeyFileError(f"{path}: a private key, not a log's public key (LOG.pub)")
    text = data.decode("utf-8", "replace").strip()
    try:
        verifier = NoteVerifier.from_vkey(text)
    except DecodeError as exc:
        if _parses(WitnessVerifier.from_vkey, text):
            raise KeyFileError(f"{path}: a witness key (pin it with --trust-witness)") from None
        raise KeyFileError(f"{path}: not a log verifier key ({exc})") from None
    return PinnedLog(verifier.public_key, verifier.name, str(path))


def _parses(parse: Callable[[str], object], text: str) -> bool:
    try:
        parse(text)
    except DecodeError:
        return False
    return True


def load_witness_key(path: str | os.PathLike[str]) -> PinnedWitness:
    """Read ``W.pub``: a witness's verifier key string of type 0x04 (cosignature/v1)."""
    data = read_bytes(path, max_size=MAX_KEY_FILE)
    kind = _kind(data)
    if kind in ("private", "skey"):
        raise KeyFileError(f"{path}: a private key, not a witness's public key (W.pub)")
    if kind != "vkey":
        raise KeyFileError(
            f"{path}: not a witness verifier key (name+id+key, type 0x{ALG_COSIGNATURE_V1:02x})"
        )
    text = data.decode("utf-8", "replace").strip()
    try:
        verifier = WitnessVerifier.from_vkey(text)
    except DecodeError as exc:
        if _parses(NoteVerifier.from_vkey, text):
            raise KeyFileError(
                f"{path}: a log key, not a witness key (pin it with --trust-log)"
            ) from None
        raise KeyFileError(f"{path}: not a witness verifier key ({exc})") from None
    return PinnedWitness(verifier, str(path))


def save_key_pair(path: str | os.PathLike[str], key: Ed25519PrivateKey, vkey: str) -> Path:
    """Write a log's or witness's key pair: ``path`` (PEM private key, 0600, never overwritten)
    and its verifier key string beside it (``LOG.pub``, ``W.pub``); returns the ``.pub`` path."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic(path, pem, mode=0o600, overwrite=False)
    pub = public_key_path(path)
    write_atomic(pub, (vkey + "\n").encode("ascii"), mode=0o644)
    return pub


def load_witness_signer(path: str | os.PathLike[str]) -> WitnessSigner:
    """The witness's cosigning key ``W.key``, named by the ``W.pub`` beside it."""
    key = load_private_key(path)
    pub = public_key_path(path)
    named = load_witness_key(pub).verifier
    signer = WitnessSigner(named.name, key)
    if signer.verifier() != named:
        raise KeyFileError(f"{pub}: not the public half of {path}")
    return signer


def load_log_signer(path: str | os.PathLike[str], origin: str) -> NoteSigner:
    """The log's signing key named ``origin``: a PEM Ed25519 key (``log keygen``/``keygen``) or a
    ``PRIVATE+KEY+...`` note signer key string (Go's sumdb/note format)."""
    data = read_bytes(path, max_size=MAX_KEY_FILE)
    if _kind(data) == "skey":
        check_private_mode(path)
        try:
            signer = NoteSigner.from_skey(data.decode("ascii", "replace"))
        except DecodeError as exc:
            raise KeyFileError(f"{path}: {exc}") from None
        if signer.name != origin:
            raise ConfigError(f"{path}: the key is named {signer.name!r}, not --origin {origin!r}")
        return signer
    key = load_private_key(path)
    try:
        return NoteSigner(origin, key)
    except DecodeError as exc:
        raise ConfigError(f"--origin: {exc}") from None


def load_tsa_roots(path: str | os.PathLike[str]) -> list[PinnedTSA]:
    """Read the pinned TSA root certificate(s) from a PEM (or DER) file."""
    data = read_bytes(path, max_size=MAX_CERT_FILE)
    kind = _kind(data)
    if kind in ("private", "public", "skey", "vkey"):
        raise InputError(f"{path}: a key, not a TSA root certificate")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            certificates = x509.load_pem_x509_certificates(data)
        else:
            certificates = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError(f"{path}: not a PEM or DER X.509 certificate") from None
    return [PinnedTSA(cert, str(path)) for cert in certificates]


def load_trust_policy(
    trust_logs: Iterable[str | os.PathLike[str]] = (),
    trust_tsas: Iterable[str | os.PathLike[str]] = (),
    trust_witnesses: Iterable[str | os.PathLike[str]] = (),
    witness_quorum: int | None = None,
    *,
    unsafe_claimed_time: bool = False,
) -> TrustPolicy:
    """``AnyOf`` every pinned log key and TSA root named by the given files, read once, and a
    :class:`~modelprint.protocol.trust.WitnessQuorum` of the pinned witnesses (``witness_quorum``
    of them, default all).

    With ``unsafe_claimed_time`` (``--unsafe-trust-claimed-time``; demos and tests) the publisher's
    own claim is taken instead, and giving pins as well is refused as a contradiction.
    """
    logs, tsas, witnesses = list(trust_logs), list(trust_tsas), list(trust_witnesses)
    if unsafe_claimed_time:
        if logs or tsas or witnesses:
            raise ConfigError(
                "--unsafe-trust-claimed-time takes no --trust-log, --trust-tsa or --trust-witness"
            )
        return UnsafeClaimedTime()
    if witness_quorum is not None and not witnesses:
        raise ConfigError("--witness-quorum needs --trust-witness")
    policies: list[TrustPolicy] = [load_log_key(p) for p in logs]
    for path in tsas:
        policies.extend(load_tsa_roots(path))
    if witnesses:
        policies.append(WitnessQuorum([load_witness_key(p) for p in witnesses], witness_quorum))
    return AnyOf(*policies)
