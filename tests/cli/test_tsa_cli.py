"""``modelprint tsa init`` / ``tsa serve``: a real RFC 3161 TSA that ``publish --tsa`` and
``check --trust-tsa`` work against, and that refuses bad requests without a traceback."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from modelprint.cli import main
from modelprint.commit.tsa_server import MAX_QUERY, QUERY_TYPE, REPLY_TYPE
from tests.servers import TSAProcess, start_tsa


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TSAProcess]:
    served = start_tsa(tmp_path_factory.mktemp("cli-tsa") / "TSA")
    try:
        yield served
    finally:
        served.stop()


def _post(
    tsa: TSAProcess, body: bytes, headers: dict[str, str] | None = None, method: str = "POST"
) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", tsa.port, timeout=30)
    try:
        conn.request(
            method, "/", body=body, headers={"Content-Type": QUERY_TYPE, **(headers or {})}
        )
        reply = conn.getresponse()
        return reply.status, reply.getheader("Content-Type") or "", reply.read()
    finally:
        conn.close()


def test_init_writes_root_cert_and_private_key_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "TSA"
    code, out, err = _run(capsys, "tsa", "init", "--dir", folder, "--name", "Example TSA", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["root.pem"] == str(folder / "root.pem") and len(doc["root_cert_sha256"]) == 64
    assert stat.S_IMODE((folder / "tsa.key").stat().st_mode) == 0o600
    assert "PRIVATE KEY" in (folder / "tsa.key").read_text()
    assert "PRIVATE" not in out + err and "PRIVATE" not in (folder / "root.pem").read_text()
    code, out, err = _run(capsys, "inspect", folder / "root.pem")
    assert code == 0 and "Example TSA Root CA" in out and "(CA)" in out, err
    before = (folder / "tsa.key").read_bytes()
    code, out, err = _run(capsys, "tsa", "init", "--dir", folder)
    assert code == 2 and err.count("\n") == 1 and str(folder) in err and "overwrite" in err
    assert (folder / "tsa.key").read_bytes() == before


def test_publish_tsa_gives_a_time_that_counts_only_with_the_pinned_root(
    tsa: TSAProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ident, fps, bundle = tmp_path / "ID.key", tmp_path / "FP.secret", tmp_path / "M.bundle"
    assert _run(capsys, "keygen", "--out", ident)[0] == 0
    assert _run(capsys, "fingerprints", "--count", 8, "--out", fps)[0] == 0
    code, _, err = _run(
        capsys, "commit", "--identity", ident, "--fingerprints", fps, "--model-name", "m",
        "--out", bundle,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = _run(capsys, "publish", bundle, "--tsa", tsa.url)
    assert code == 0, err
    assert "RFC 3161 timestamp" in out

    code, out, err = _run(capsys, "check", bundle, "--trust-tsa", tsa.root_cert, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [e["status"] for e in report["evidence"]] == ["trusted"]
    assert report["proven_by"]["kind"] == "tsa" and "CLI TSA" in report["proven_by"]["authority"]
    assert isinstance(report["earliest_trusted_unix"], int)

    code, out, err = _run(capsys, "check", bundle, "--json")
    report = json.loads(out)
    assert code == 0 and report["earliest_trusted_time"] is None
    assert [e["status"] for e in report["evidence"]] == ["unpinned"]


def test_bad_requests_get_4xx_and_never_a_traceback(tmp_path: Path) -> None:
    served = start_tsa(tmp_path / "TSA")
    try:
        query = (
            TimestampRequestBuilder()
            .data(b"hello")
            .hash_algorithm(HashAlgorithm.SHA256)
            .cert_request(cert_request=True)
            .build()
            .as_bytes()
        )
        status, kind, body = _post(served, query)
        assert (status, kind) == (200, REPLY_TYPE) and body.startswith(b"\x30")
        assert _post(served, b"\x30\x03garbage")[0] == 400
        assert _post(served, query + b"\x00")[0] == 400  # trailing bytes
        assert _post(served, b"x" * (MAX_QUERY + 1))[0] == 413
        assert _post(served, query, {"Content-Type": "text/plain"})[0] == 415
        assert _post(served, b"", method="GET")[0] == 405
        assert _post(served, query)[0] == 200  # still serving
        assert served.proc is not None and served.proc.stderr is not None
        served.proc.send_signal(signal.SIGINT)  # Ctrl-C
        code = served.proc.wait(timeout=30)
        rest = served.proc.stderr.read().decode()
    finally:
        served.stop()
    assert code == 130 and "Traceback" not in rest and rest.count("\n") <= 1, rest


def test_a_busy_port_and_a_missing_openssl_are_one_line_errors(
    tsa: TSAProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = _run(capsys, "tsa", "serve", "--dir", tsa.folder, "--port", port)
    assert code == 2 and err.count("\n") == 1 and f"127.0.0.1:{port}" in err
    monkeypatch.setenv("PATH", "")
    code, _, err = _run(capsys, "tsa", "serve", "--dir", tsa.folder, "--port", 0)
    assert code == 2 and err.count("\n") == 1 and "openssl" in err and "Error" not in err
    code, _, err = _run(capsys, "tsa", "serve", "--dir", tsa.folder / "nope")
    assert code == 2 and err.count("\n") == 1 and "nope" in err and "tsa init" in err
