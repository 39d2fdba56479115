"""``modelprint export`` end to end: a bundle logged by the real log server on loopback, exported in
each format and checked by third-party code (securesystemslib, in-toto-attestation, tlog-scales).

Our log's checkpoints carry a ``time`` extension line, which tlog-scales' checkpoint reader does not
take; so here tlog-scales checks the inclusion proof, and the note signature is checked by the
C2SP signed-note rule written from the spec (``tests.thirdparty.verify_note``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from tlog_scales.tlog import InclusionProof, InclusionProofInvalid

from modelprint.cli import main
from tests.servers import LogProcess
from tests.thirdparty import parse_tlog_proof, parsed_statement, sslib_verify, verify_note


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _raw_public(pub: Path) -> bytes:
    key = load_pem_public_key(pub.read_bytes())
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory, log_server: LogProcess) -> Path:
    folder = tmp_path_factory.mktemp("export")
    ident, fps, out = folder / "ID.key", folder / "FP.secret", folder / "M.bundle"
    assert main(["keygen", "--out", str(ident)]) == 0
    assert main(["fingerprints", "--count", "8", "--out", str(fps)]) == 0
    code = main(
        ["commit", "--identity", str(ident), "--fingerprints", str(fps), "--model-name", "m",
         "--out", str(out), "--log", log_server.url],
    )  # fmt: skip
    assert code == 0
    return folder


def test_export_dsse_verifies_with_securesystemslib(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = logged / "M.dsse.json"
    code, text, err = _run(capsys, "export", logged / "M.bundle", "--format", "dsse", "--out", out)
    assert code == 0, err
    assert str(out) in text
    assert sslib_verify(out.read_bytes(), _raw_public(logged / "ID.pub"))


def test_export_in_toto_needs_and_uses_the_publishers_key(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = logged / "M.intoto.json"
    bundle = logged / "M.bundle"
    code, _, err = _run(capsys, "export", bundle, "--format", "in-toto", "--out", out)
    assert code == 2 and "\n" not in err.strip() and str(bundle) in err and "key" in err
    code, _, err = _run(
        capsys, "export", bundle, "--format", "in-toto", "--out", out,
        "--identity", logged / "ID.key",
    )  # fmt: skip
    assert code == 0, err
    statement = parsed_statement(out.read_bytes(), _raw_public(logged / "ID.pub"))
    assert statement["subject"][0]["name"] == "m"


def test_export_tlog_proof_of_a_real_log(
    logged: Path, log_server: LogProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    out = logged / "M.tlog-proof"
    code, _, err = _run(
        capsys, "export", logged / "M.bundle", "--format", "tlog-proof", "--out", out
    )
    assert code == 0, err
    extra, index, hashes, checkpoint = parse_tlog_proof(out.read_bytes())
    assert extra is not None
    body = verify_note(checkpoint, log_server.pub.read_text())
    origin, size, root, *extensions = body.rstrip("\n").split("\n")
    assert origin == log_server.origin and extensions[0].startswith("time ")
    leaf = hashlib.sha256(b"\x00" + extra).digest()
    InclusionProof(index, int(size), hashes).check(leaf, base64.b64decode(root))
    with pytest.raises(InclusionProofInvalid):
        InclusionProof(index, int(size), hashes).check(leaf[::-1], base64.b64decode(root))


def test_export_errors_are_one_line_naming_the_file(
    logged: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "bad.bundle"
    garbage.write_bytes(b"\x93not a bundle")
    code, _, err = _run(capsys, "export", garbage, "--format", "dsse", "--out", tmp_path / "o")
    assert code == 2 and str(garbage) in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(
        capsys, "export", logged / "M.bundle", "--format", "dsse", "--record", "grant",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert code == 2 and "M.bundle" in err and "no grant" in err
    assert not (tmp_path / "o").exists()


def test_export_json_output(logged: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = logged / "J.dsse.json"
    code, text, _ = _run(
        capsys, "export", logged / "M.bundle", "--format", "dsse", "--out", out, "--json"
    )
    assert code == 0
    assert json.loads(text)["out"] == str(out)
