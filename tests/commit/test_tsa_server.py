"""The TSA server's refusals: a corrupted TimeStampReq is a 400, an openssl failure a 503."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from modelprint.commit.tsa_server import (
    QUERY_TYPE,
    TSAServer,
    _check_query,
    create_tsa_directory,
    load_tsa_directory,
)
from modelprint.runtime.http import BadRequest


def _query() -> bytes:
    builder = TimestampRequestBuilder().data(b"x").hash_algorithm(HashAlgorithm.SHA256)
    return builder.nonce(nonce=True).cert_request(cert_request=True).build().as_bytes()


def test_corrupted_queries_are_refused_as_bad_requests_only() -> None:
    query = _query()
    _check_query(query)
    rng = random.Random(0)
    refused = 0
    for _ in range(3000):
        data = bytearray(query)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        try:
            _check_query(bytes(data))
        except BadRequest as exc:
            assert exc.status == 400
            refused += 1
    assert refused > 1000
    with pytest.raises(BadRequest):
        _check_query(query + b"\x00")


def test_an_openssl_failure_is_a_503_and_one_line_without_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = create_tsa_directory(tmp_path / "TSA", "Broken TSA")
    directory.tsa_key.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    server = TSAServer(load_tsa_directory(directory.folder))
    server.start_background()
    try:
        reply = httpx.post(server.url, content=_query(), headers={"Content-Type": QUERY_TYPE})
    finally:
        server.close()
    assert reply.status_code == 503
    err = capsys.readouterr().err
    assert err.startswith("tsa: openssl ts -reply failed") and err.count("\n") == 1
    assert "broken" not in err and "PRIVATE" not in err
