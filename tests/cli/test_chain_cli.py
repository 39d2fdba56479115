"""A licensee's stage and ``chain verify`` from the command line, with a real log and a real TSA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelprint.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_server: Any, tsa_server: Any
) -> Path:
    p = tmp_path
    (p / "terms.txt").write_text("resale allowed\n")
    for who in ("acme", "lic"):
        assert run(capsys, "keygen", "--out", str(p / f"{who}.key"))[0] == 0
        assert (
            run(capsys, "fingerprints", "--count", "8", "--out", str(p / f"{who}.secret"))[0] == 0
        )
    code, _, err = run(
        capsys, "commit", "--identity", str(p / "acme.key"), "--fingerprints", str(p / "acme.secret"),
        "--model-name", "acme", "--out", str(p / "acme.bundle"), "--log", log_server.url,
        "--tsa", tsa_server.url,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "grant", "--identity", str(p / "acme.key"), "--parent", str(p / "acme.bundle"),
        "--to", str(p / "lic.pub"), "--terms", str(p / "terms.txt"), "--out", str(p / "lic.grant"),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "commit", "--identity", str(p / "lic.key"), "--fingerprints", str(p / "lic.secret"),
        "--model-name", "lic", "--parent", str(p / "acme.bundle"), "--grant", str(p / "lic.grant"),
        "--out", str(p / "lic.bundle"), "--log", log_server.url,
    )  # fmt: skip
    assert code == 0, err
    return p


def test_chain_verifies_root_first_with_pinned_time(
    chain: Path, capsys: pytest.CaptureFixture[str], log_server: Any, tsa_server: Any
) -> None:
    code, out, _ = run(
        capsys, "chain", "verify", str(chain / "acme.bundle"), str(chain / "lic.bundle"),
        "--trust-log", str(log_server.pub), "--trust-tsa", str(tsa_server.root_cert), "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "valid"
    times = [link["trusted_time"] for link in doc["links"]]
    assert all(isinstance(t, int) for t in times) and times[0] <= times[1]


def test_chain_given_leaf_first_is_rejected(
    chain: Path, capsys: pytest.CaptureFixture[str], log_server: Any
) -> None:
    code, out, _ = run(
        capsys, "chain", "verify", str(chain / "lic.bundle"), str(chain / "acme.bundle"),
        "--trust-log", str(log_server.pub),
    )  # fmt: skip
    assert code == 1 and "REJECTED" in out


def test_chain_with_a_foreign_parent_is_rejected(
    chain: Path, capsys: pytest.CaptureFixture[str], log_server: Any
) -> None:
    assert run(capsys, "keygen", "--out", str(chain / "other.key"))[0] == 0
    code, _, err = run(
        capsys, "commit", "--identity", str(chain / "other.key"), "--fingerprints",
        str(chain / "acme.secret"), "--model-name", "other", "--out", str(chain / "other.bundle"),
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        capsys, "chain", "verify", str(chain / "other.bundle"), str(chain / "lic.bundle"),
        "--trust-log", str(log_server.pub),
    )  # fmt: skip
    assert code == 1 and "REJECTED" in out


def test_check_reports_both_log_and_tsa_time(
    chain: Path, capsys: pytest.CaptureFixture[str], log_server: Any, tsa_server: Any
) -> None:
    code, out, _ = run(
        capsys, "check", str(chain / "acme.bundle"), "--trust-log", str(log_server.pub),
        "--trust-tsa", str(tsa_server.root_cert), "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0
    assert doc["earliest_trusted_time"] is not None
    trusted = [e for e in doc["evidence"] if e.get("status") == "trusted"]
    assert len(trusted) == 2, doc["evidence"]
