"""RFC 3161 tokens from a real TSA (openssl ts -reply on loopback), and every way to forge one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from modelprint.commit.timestamp import request_timestamp
from modelprint.protocol.errors import ConfigError, TimestampError, TransportError
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import TimestampEvidence
from modelprint.protocol.tsa import verify_timestamp
from modelprint.runtime.keyfiles import load_tsa_roots
from tests.servers import TSAServer
from tests.tsa import OpenSSLTSA, make_pki


def _roots(path: Path) -> list[x509.Certificate]:
    return [t.root for t in load_tsa_roots(path)]


def test_token_from_real_tsa_proves_time(
    tsa_server: TSAServer, make_bundle: Callable[[], Bundle]
) -> None:
    import time

    bundle = make_bundle()
    before = int(time.time())
    evidence = request_timestamp(bundle, tsa_server.url)
    proven = verify_timestamp(evidence, bundle, _roots(tsa_server.root_cert))
    assert proven.kind == "tsa" and "Test TSA" in proven.authority
    assert before - 2 <= proven.time <= int(time.time()) + 2  # genTime + accuracy (1 s)
    # the record survives the bundle's canonical encoding
    again = Bundle.from_bytes(bundle.with_evidence(timestamps=(evidence.to_value(),)).to_bytes())
    stored = TimestampEvidence.from_value(again.timestamps[0])
    assert verify_timestamp(stored, again, _roots(tsa_server.root_cert)).time == proven.time


def test_token_over_another_bundle_is_rejected(
    tsa_server: TSAServer, make_bundle: Callable[[], Bundle]
) -> None:
    evidence = request_timestamp(make_bundle(), tsa_server.url)
    with pytest.raises(TimestampError):
        verify_timestamp(evidence, make_bundle(), _roots(tsa_server.root_cert))


def test_tampered_token_is_rejected(
    tsa_server: TSAServer, make_bundle: Callable[[], Bundle]
) -> None:
    bundle = make_bundle()
    roots = _roots(tsa_server.root_cert)
    evidence = request_timestamp(bundle, tsa_server.url)
    honest = verify_timestamp(evidence, bundle, roots)
    data = evidence.response

    def forged(pos: int, value: int) -> TimestampEvidence:
        mutated = bytearray(data)
        mutated[pos] = value
        return TimestampEvidence(bytes(mutated), evidence.chain, evidence.url)

    # the signed parts: a digit of genTime, a byte of the message imprint, the signature
    gen_time = data.index(b"\x18\x0f") + 2  # GeneralizedTime YYYYMMDDHHMMSSZ
    imprint = data.index(bundle_imprint(bundle)) + 5
    for pos, value in [
        (gen_time + 3, (data[gen_time + 3] - 0x30 + 9) % 10 + 0x30),  # year - 1
        (imprint, data[imprint] ^ 0x01),
        (len(data) - 1, data[-1] ^ 0x01),
    ]:
        with pytest.raises(TimestampError):
            verify_timestamp(forged(pos, value), bundle, roots)
    # and no single flipped bit anywhere ever yields another time or another authority
    for pos in range(0, len(data), 7):
        try:
            proven = verify_timestamp(forged(pos, data[pos] ^ 0x01), bundle, roots)
        except TimestampError:
            continue
        assert (proven.time, proven.authority) == (honest.time, honest.authority)


def bundle_imprint(bundle: Bundle) -> bytes:
    import hashlib

    from modelprint.protocol.timeproof import timestamp_message

    return hashlib.sha256(timestamp_message(bundle)).digest()


def test_token_from_foreign_tsa_is_rejected_even_with_its_root_in_the_chain(
    tmp_path: Path, tsa_server: TSAServer, make_bundle: Callable[[], Bundle]
) -> None:
    bundle = make_bundle()
    evil = make_pki(tmp_path / "evil", "Evil TSA")
    with OpenSSLTSA(evil) as tsa:
        evidence = request_timestamp(bundle, tsa.url)
    with pytest.raises(TimestampError):
        verify_timestamp(evidence, bundle, _roots(tsa_server.root_cert))
    # smuggling the foreign root and TSA certificate in as "intermediates" must not help
    chain = tuple(
        x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(serialization.Encoding.DER)
        for p in (evil.root_cert, evil.tsa_cert)
    )
    smuggled = TimestampEvidence(evidence.response, chain, evidence.url)
    with pytest.raises(TimestampError):
        verify_timestamp(smuggled, bundle, _roots(tsa_server.root_cert))
    # and under its own root it is fine: the rejection is about trust, not format
    assert verify_timestamp(evidence, bundle, _roots(evil.root_cert)).kind == "tsa"


def test_garbage_tokens_and_servers_are_typed_errors(
    make_bundle: Callable[[], Bundle], tsa_server: TSAServer
) -> None:
    import httpx

    bundle = make_bundle()
    with pytest.raises(TimestampError):
        verify_timestamp(
            TimestampEvidence(b"\x30\x03garbage"), bundle, _roots(tsa_server.root_cert)
        )

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not a token")

    with pytest.raises(TransportError):
        request_timestamp(bundle, "http://tsa.test/", transport=httpx.MockTransport(garbage))
    with pytest.raises(ConfigError):
        request_timestamp(bundle, "ftp://tsa.test/")
    with pytest.raises(TransportError):
        request_timestamp(bundle, "http://127.0.0.1:9/", timeout=2)
