"""Requesting RFC 3161 timestamps over a bundle's envelope signature.

A token is requested over :func:`~modelprint.protocol.timeproof.timestamp_message` (the publisher's
signature bytes) with SHA-256, a nonce, and ``certReq`` so the TSA's certificate travels inside the
token. Verifying a token is offline work and lives in :mod:`modelprint.protocol.tsa`; the pinned
roots are read by :mod:`modelprint.runtime.keyfiles`.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from rfc3161_client import HashAlgorithm, PKIStatus, TimestampRequestBuilder

from ..protocol.errors import ConfigError, TransportError
from ..protocol.records import Evidenced
from ..protocol.timeproof import MAX_CHAIN, MAX_TSA_RESPONSE, TimestampEvidence, timestamp_message
from ..protocol.tsa import decode_response
from ..runtime.http import failure_reason

__all__ = ["certificate_pem", "request_timestamp"]


def request_timestamp(
    bundle: Evidenced,
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
        raise TransportError(f"{tsa_url}: {failure_reason(exc)}") from None
    if status != 200:
        raise TransportError(f"{tsa_url}: HTTP {status}")
    response = decode_response(bytes(body), TransportError, f"{tsa_url}: ")
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TransportError(f"{tsa_url}: the TSA refused (status {response.status})")
    info = response.tst_info
    if info.nonce != request.nonce:
        raise TransportError(f"{tsa_url}: the reply answers another request (nonce)")
    if info.message_imprint.message != request.message_imprint.message:
        raise TransportError(f"{tsa_url}: the token covers other data")
    return TimestampEvidence(response=bytes(body), chain=tuple(chain), url=tsa_url)


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
