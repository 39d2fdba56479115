"""The publisher's CLI: keygen, fingerprints, commit, grant, inspect, check -- and every bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from modelprint.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def publisher(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(capsys, "keygen", "--out", str(tmp_path / "id.key"))[0] == 0
    assert (
        run(capsys, "fingerprints", "--count", "32", "--out", str(tmp_path / "fp.secret"))[0] == 0
    )
    code, _, _ = run(
        capsys, "commit", "--identity", str(tmp_path / "id.key"), "--fingerprints",
        str(tmp_path / "fp.secret"), "--model-name", "acme-7b", "--out", str(tmp_path / "m.bundle"),
        "--time", "2026-01-02T03:04:05Z",
    )  # fmt: skip
    assert code == 0
    return tmp_path


def test_keygen_writes_private_key_0600_and_public_key(publisher: Path) -> None:
    assert stat.S_IMODE((publisher / "id.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((publisher / "fp.secret").stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in (publisher / "id.pub").read_bytes()


def test_inspect_bundle_json_reports_the_commitment(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "inspect", "--json", str(publisher / "m.bundle"))
    info = json.loads(out)
    assert code == 0
    assert info["kind"] == "bundle" and info["count"] == 32 and info["model_name"] == "acme-7b"
    assert info["claimed_time"] == "2026-01-02T03:04:05Z"
    assert info["signature"] == "valid"


def test_inspect_never_prints_the_fingerprint_secret(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelprint.runtime.documents import load_fingerprints

    fps = load_fingerprints(publisher / "fp.secret")
    for argv in (
        ["inspect", str(publisher / "fp.secret")],
        ["inspect", "--json", str(publisher / "fp.secret")],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 0
        assert fps.secret.hex() not in out + err
        assert fps.pair(0).key not in out + err


def test_check_accepts_a_valid_bundle(publisher: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--json", str(publisher / "m.bundle"))
    assert code == 0 and json.loads(out)["signature"] == "valid"


def test_tampered_signature_exits_1_with_one_line(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelprint.runtime.documents import load_bundle

    data = bytearray((publisher / "m.bundle").read_bytes())
    sig = load_bundle(publisher / "m.bundle").envelope.signatures[0].sig
    data[bytes(data).index(sig)] ^= 0x40
    (publisher / "bad.bundle").write_bytes(bytes(data))
    code, _, err = run(capsys, "check", str(publisher / "bad.bundle"))
    assert code == 1
    assert err.count("\n") == 1 and "signature does not verify" in err and "bad.bundle" in err
    assert "SignatureError" not in err  # no class names without --debug


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b"\x86\xa4kind", "malformed msgpack"),
        (b"hello world\n", "not a modelprint file"),
    ],
)
def test_bad_bundle_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    (tmp_path / "x.bundle").write_bytes(content)
    code, _, err = run(capsys, "check", str(tmp_path / "x.bundle"))
    assert code == 2
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_truncated_bundle_exits_2(publisher: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (publisher / "m.bundle").read_bytes()
    for cut in (1, len(data) // 2, len(data) - 1):
        (publisher / "t.bundle").write_bytes(data[:cut])
        code, _, err = run(capsys, "check", str(publisher / "t.bundle"))
        assert code == 2 and "t.bundle" in err


def test_wrong_file_kind_is_named(publisher: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(publisher / "fp.secret"))
    assert code == 2 and "fp.secret" in err and "expected modelprint/bundle" in err


def test_key_file_with_loose_permissions_is_refused(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chmod(publisher / "id.key", 0o644)
    code, _, err = run(
        capsys, "commit", "--identity", str(publisher / "id.key"), "--fingerprints",
        str(publisher / "fp.secret"), "--model-name", "x", "--out", str(publisher / "n.bundle"),
    )  # fmt: skip
    assert code == 2 and "too open" in err and "chmod 600" in err
    assert not (publisher / "n.bundle").exists()


def test_passphrase_encrypted_key_needs_the_right_passphrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELPRINT_PASSPHRASE", "correct horse")
    assert run(capsys, "keygen", "--out", str(tmp_path / "id.key"))[0] == 0
    assert b"ENCRYPTED" in (tmp_path / "id.key").read_bytes()
    assert run(capsys, "fingerprints", "--count", "4", "--out", str(tmp_path / "fp.secret"))[0] == 0
    argv = ["commit", "--identity", str(tmp_path / "id.key"), "--fingerprints",
            str(tmp_path / "fp.secret"), "--model-name", "x", "--out", str(tmp_path / "m.bundle")]  # fmt: skip
    assert run(capsys, *argv)[0] == 0
    monkeypatch.setenv("MODELPRINT_PASSPHRASE", "wrong")
    code, _, err = run(capsys, *argv)
    assert code == 2 and "id.key" in err and "wrong passphrase" in err
    assert "correct horse" not in err
    monkeypatch.delenv("MODELPRINT_PASSPHRASE")
    code, _, err = run(capsys, *argv)
    assert code == 2 and "encrypted" in err and "MODELPRINT_PASSPHRASE" in err


def test_keygen_refuses_to_overwrite_an_identity(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (publisher / "id.key").read_bytes()
    code, _, err = run(capsys, "keygen", "--out", str(publisher / "id.key"))
    assert code == 2 and "already exists" in err
    assert (publisher / "id.key").read_bytes() == before


def test_licensee_commits_a_stage_under_a_grant(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = publisher
    (p / "terms.txt").write_text("may fine-tune and resell\n")
    assert run(capsys, "keygen", "--out", str(p / "child.key"))[0] == 0
    assert run(capsys, "fingerprints", "--count", "8", "--out", str(p / "child.secret"))[0] == 0
    code, _, err = run(
        capsys, "grant", "--identity", str(p / "id.key"), "--parent", str(p / "m.bundle"),
        "--to", str(p / "child.pub"), "--terms", str(p / "terms.txt"), "--out", str(p / "g.grant"),
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "inspect", "--json", str(p / "g.grant"))
    assert code == 0 and json.loads(out)["stage"] == 1
    child_argv = ["commit", "--identity", str(p / "child.key"), "--fingerprints",
                  str(p / "child.secret"), "--model-name", "acme-7b-ft", "--out",
                  str(p / "c.bundle"), "--parent", str(p / "m.bundle"), "--grant", str(p / "g.grant")]  # fmt: skip
    assert run(capsys, *child_argv)[0] == 0
    code, out, _ = run(capsys, "inspect", "--json", str(p / "c.bundle"))
    parent = json.loads(run(capsys, "inspect", "--json", str(p / "m.bundle"))[1])
    assert json.loads(out)["parent"] == parent["content_id"]
    # the grant was issued to child.pub: the parent's own key cannot use it
    wrong = [*child_argv]
    wrong[2] = str(p / "id.key")
    wrong[wrong.index(str(p / "c.bundle"))] = str(p / "w.bundle")
    code, _, err = run(capsys, *wrong)
    assert code == 1 and "another key" in err and not (p / "w.bundle").exists()


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "modelprint"
    for argv in (
        ["commit"],
        ["fingerprints", "--count", "0", "--out", str(tmp_path / "f")],
        ["nope"],
    ):
        proc = subprocess.run([str(exe), *argv], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, argv
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
