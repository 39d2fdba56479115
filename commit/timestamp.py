"""RFC 3161 timestamps over a bundle's envelope signature (requests and offline verification).

A token is requested over :func:`~modelprint.protocol.timeproof.timestamp_message` (the publisher's
signature bytes) with SHA-256, a nonce, and ``certReq`` so the TSA's certificate travels inside the
token. Verification trusts only the pinned root certificates: the signer's certificate is chained
to a pinned root here, through intermediates that are themselves checked (``rfc3161-client`` treats
every certificate it is handed as a trust anchor, so untrusted chain certificates are never passed
to it unchecked), and then ``rfc3161-client`` checks the CMS signature, the critical timeStamping
EKU, the ESS certificate binding and the message imprint.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from ..files import read_bytes
from ..protocol.errors import ConfigError, DecodeError, InputError, TimestampError, TransportError
from ..protocol.records import Bundle
from ..protocol.timeproof import (
    MAX_CHAIN,
    MAX_TSA_RESPONSE,
    ProvenTime,
    TimestampEvidence,
    timestamp_message,
)

__all__ = [
    "describe_timestamp",
    "load_root_certificates",
    "request_timestamp",
    "verify_timestamp",
]


def load_root_certificates(path: str) -> list[x509.Certificate]:
    """Read the pinned TSA root certificate(s) from a PEM (or DER) file."""
    data = read_bytes(path, max_size=1024 * 1024)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError(f"{path}: not a PEM or DER X.509 certificate") from None


def request_timestamp(
    bundle: Bundle,
    tsa_url: str,
    *,
    chain: Sequence[bytes] = (),
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> TimestampEvidence:
    """Ask the TSA at ``tsa_url`` for a token over the bundle's envelope signature.

    The reply is checked for status, nonce and message imprint (not yet for trust: that is the
    verifier's job, with its own pinned roots). ``chain`` adds DER intermediates to store.
    """
    if not tsa_url.startswith(("http://", "https://")):
        raise ConfigError(f"TSA URL must be http(s)://..., not {tsa_url!r}")
    if len(chain) > MAX_CHAIN:
        raise ConfigError(f"at most {MAX_CHAIN} chain certificates")
    message = timestamp_message(bundle)
    request = (
        TimestampRequestBuilder()
        .data(message)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        with (
            httpx.Client(timeout=timeout, transport=transport) as http,
            http.stream(
                "POST",
                tsa_url,
                content=request.as_bytes(),
                headers={"Content-Type": "application/timestamp-query"},
            ) as reply,
        ):
            body = bytearray()
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > MAX_TSA_RESPONSE:
                    raise TransportError(f"{tsa_url}: reply over {MAX_TSA_RESPONSE} bytes")
            status = reply.status_code
    except httpx.HTTPError as exc:
        raise TransportError(f"{tsa_url}: {type(exc).__name__}: {exc}") from None
    if status != 200:
        raise TransportError(f"{tsa_url}: HTTP {status}")
    response = _decode(bytes(body), TransportError, f"{tsa_url}: ")
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TransportError(f"{tsa_url}: the TSA refused (status {response.status})")
    info = response.tst_info
    if info.nonce != request.nonce:
        raise TransportError(f"{tsa_url}: the reply answers another request (nonce)")
    if info.message_imprint.message != request.message_imprint.message:
        raise TransportError(f"{tsa_url}: the token covers other data")
    return TimestampEvidence(response=bytes(body), chain=tuple(chain), url=tsa_url)


def _decode(
    data: bytes, error: type[Exception] = TimestampError, where: str = ""
) -> TimeStampResponse:
    try:
        return decode_timestamp_response(data)
    except (ValueError, TypeError) as exc:
        raise error(f"{where}malformed RFC 3161 response ({str(exc)[:120]})") from None


def _signer_certificate(response: TimeStampResponse) -> x509.Certificate:
    signer_infos = list(response.signed_data.signer_infos)
    if len(signer_infos) != 1:
        raise TimestampError("a token needs exactly one signer")
    signer = signer_infos[0]
    for der in response.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if cert.issuer == signer.issuer and cert.serial_number == signer.serial_number:
            return cert
    raise TimestampError("the token does not carry its signer's certificate (certReq)")


def _valid_at(cert: x509.Certificate, when: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    if child.issuer != issuer.subject:
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _path_to_root(
    leaf: x509.Certificate,
    candidates: Sequence[x509.Certificate],
    root: x509.Certificate,
    when: dt.datetime,
) -> list[x509.Certificate] | None:
    """The checked intermediates from ``leaf`` up to ``root``, or None when there is no path."""
    path: list[x509.Certificate] = []
    current = leaf
    for _ in range(MAX_CHAIN + 1):
        if _issued_by(current, root):
            return path
        step = next(
            (
                c
                for c in candidates
                if c not in path and _is_ca(c) and _valid_at(c, when) and _issued_by(current, c)
            ),
            None,
        )
        if step is None:
            return None
        path.append(step)
        current = step
    return None


def verify_timestamp(
    evidence: TimestampEvidence, bundle: Bundle, roots: Sequence[x509.Certificate]
) -> ProvenTime:
    """Check ``evidence`` for ``bundle`` against the pinned ``roots``; return the proven time.

    The time is the token's genTime plus its stated accuracy, rounded up to a whole second (the
    latest moment the token allows). Raises :class:`TimestampError` on any failure.
    """
    try:
        return _verify(evidence, bundle, roots)
    except (ValueError, TypeError, KeyError) as exc:  # lazily parsed parts of a malformed token
        raise TimestampError(f"malformed RFC 3161 token ({str(exc)[:120]})") from None


def _verify(
    evidence: TimestampEvidence, bundle: Bundle, roots: Sequence[x509.Certificate]
) -> ProvenTime:
    response = _decode(evidence.response)
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError("the timestamp response is not a granted token")
    try:
        message = timestamp_message(bundle)
        chain = [x509.load_der_x509_certificate(c) for c in evidence.chain]
    except ValueError:
        raise TimestampError("timestamp chain holds a malformed certificate") from None
    except DecodeError as exc:
        raise TimestampError(str(exc)) from None
    leaf = _signer_certificate(response)
    gen_time = response.tst_info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=dt.UTC)
    failure = "no pinned TSA root issued the token's certificate"
    for root in roots:
        intermediates = _path_to_root(leaf, chain, root, gen_time)
        if intermediates is None:
            continue
        verifier = VerifierBuilder(roots=[root], intermediates=intermediates).build()
        try:
            verifier.verify_message(response, message)
        except VerificationError as exc:
            failure = str(exc).split(":")[0][:160]
            continue
        except ValueError as exc:  # malformed structures inside the token
            failure = f"malformed token ({str(exc)[:120]})"
            continue
        accuracy = response.tst_info.accuracy
        slack = 0.0
        if accuracy is not None:
            slack = accuracy.seconds + (accuracy.millis or 0) / 1e3 + (accuracy.micros or 0) / 1e6
        subject = leaf.subject.rfc4514_string()
        return ProvenTime(
            time=math.ceil(gen_time.timestamp() + slack),
            kind="tsa",
            authority=subject,
            trusted_key=root.subject.rfc4514_string(),
            detail={
                "gen_time": gen_time.isoformat(),
                "accuracy_s": slack,
                "serial": response.tst_info.serial_number,
                "root_sha256": root.fingerprint(hashes.SHA256()).hex(),
            },
        )
    raise TimestampError(failure)


def describe_timestamp(evidence: TimestampEvidence) -> dict[str, object]:
    """What a token claims, unverified (for showing unpinned evidence)."""
    response = _decode(evidence.response)
    try:
        gen_time = response.tst_info.gen_time
    except (ValueError, TypeError):
        raise TimestampError("malformed RFC 3161 token") from None
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=dt.UTC)
    info: dict[str, object] = {"gen_time": gen_time.isoformat()}
    try:
        info["authority"] = _signer_certificate(response).subject.rfc4514_string()
    except (TimestampError, ValueError, TypeError):
        info["authority"] = "unknown"
    return info


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
