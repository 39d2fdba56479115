"""Offline verification of RFC 3161 timestamp tokens over a bundle's envelope signature.

Verification trusts only the pinned root certificates: the signer's certificate is chained to a
pinned root here, through intermediates that are themselves checked (``rfc3161-client`` treats every
certificate it is handed as a trust anchor, so untrusted chain certificates are never passed to it
unchecked), and then ``rfc3161-client`` checks the CMS signature, the critical timeStamping EKU, the
ESS certificate binding and the message imprint. Pure computation: no network, no files (requesting
a token is ``modelprint.commit.timestamp``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from rfc3161_client import (
    PKIStatus,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from .errors import DecodeError, TimestampError
from .records import Evidenced
from .timeproof import MAX_CHAIN, ProvenTime, TimestampEvidence, timestamp_message

__all__ = ["decode_response", "describe_timestamp", "verify_timestamp"]


def decode_response(
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
    evidence: TimestampEvidence, bundle: Evidenced, roots: Sequence[x509.Certificate]
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
    evidence: TimestampEvidence, bundle: Evidenced, roots: Sequence[x509.Certificate]
) -> ProvenTime:
    response = decode_response(evidence.response)
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
    response = decode_response(evidence.response)
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
