"""A licensee's stage and ``chain verify`` from the command line, with a real log and a real TSA."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from modelprint.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def two_stages(
    p: Path, capsys: pytest.CaptureFixture[str], root: tuple[str, ...], child: tuple[str, ...]
) -> Path:
    """acme's root commitment and lic's stage below it in ``p``; ``root`` and ``child`` are extra
    flags for the two ``commit`` runs."""
    (p / "terms.txt").write_text("resale allowed\n")
    for who in ("acme", "lic"):
        assert run(capsys, "keygen", "--out", str(p / f"{who}.key"))[0] == 0
        assert (
            run(capsys, "fingerprints", "--count", "8", "--out", str(p / f"{who}.secret"))[0] == 0
        )
    code, _, err = run(
        capsys, "commit", "--identity", str(p / "acme.key"), "--fingerprints", str(p / "acme.secret"),
        "--model-name", "acme", "--out", str(p / "acme.bundle"), *root,
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
        "--out", str(p / "lic.bundle"), *child,
    )  # fmt: skip
    assert code == 0, err
    return p


@pytest.fixture
def chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_server: Any, tsa_server: Any
) -> Path:
    log, tsa = ("--log", log_server.url), ("--tsa", tsa_server.url)
    return two_stages(tmp_path, capsys, (*log, *tsa), log)


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


def test_grant_limits_terms_and_revocations_from_the_command_line(
    chain: Path, capsys: pytest.CaptureFixture[str], log_server: Any
) -> None:
    p, pin = chain, ("--trust-log", str(log_server.pub))
    links = (str(p / "acme.bundle"), str(p / "lic.bundle"))
    code, out, _ = run(capsys, "chain", "verify", *links, *pin, "--terms", f"1={p / 'terms.txt'}")
    assert code == 0, out
    (p / "other.txt").write_text("no resale\n")
    code, out, _ = run(
        capsys, "chain", "verify", *links, *pin, "--terms", f"1={p / 'other.txt'}", "--json"
    )
    assert code == 1 and json.loads(out)["findings"][0]["code"] == "terms"
    code, _, err = run(capsys, "chain", "verify", *links, *pin, "--terms", "one")
    assert code == 2 and "LINK=FILE" in err and "Traceback" not in err
    # revoked (and logged) after the licensee's commitment: reported, the chain stands
    code, _, err = run(
        capsys, "revoke", "--identity", str(p / "acme.key"), "--grant", str(p / "lic.grant"),
        "--reason", "unpaid", "--out", str(p / "late.revocation"), "--log", log_server.url,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        capsys, "chain", "verify", *links, *pin, "--revocations", str(p / "late.revocation"),
        "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["findings"][0]["code"] == "revocation"
    # a grant with a window, revoked before the second licensee commits
    code, _, err = run(
        capsys, "grant", "--identity", str(p / "acme.key"), "--parent", str(p / "acme.bundle"),
        "--to", str(p / "lic.pub"), "--terms", str(p / "terms.txt"), "--out", str(p / "g2.grant"),
        "--not-before", "2020-01-01", "--not-after", "2999-01-01T00:00:00Z", "--max-depth", "0",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "revoke", "--identity", str(p / "acme.key"), "--grant", str(p / "g2.grant"),
        "--out", str(p / "early.revocation"), "--log", log_server.url, "--json",
    )  # fmt: skip
    assert code == 0, err
    time.sleep(1.1)  # the log's clock counts whole seconds: the child comes strictly later
    assert run(capsys, "fingerprints", "--count", "8", "--out", str(p / "lic2.secret"))[0] == 0
    code, _, err = run(
        capsys, "commit", "--identity", str(p / "lic.key"), "--fingerprints", str(p / "lic2.secret"),
        "--model-name", "lic2", "--parent", str(p / "acme.bundle"), "--grant", str(p / "g2.grant"),
        "--out", str(p / "lic2.bundle"), "--log", log_server.url,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(
        capsys, "chain", "verify", str(p / "acme.bundle"), str(p / "lic2.bundle"), *pin,
        "--revocations", str(p / "early.revocation"), str(p / "late.revocation"),
    )  # fmt: skip
    assert code == 1 and "revoked by" in out and "early.revocation" in out
    code, out, _ = run(capsys, "inspect", str(p / "early.revocation"), "--json")
    assert code == 0 and json.loads(out)["kind"] == "revocation"
    code, _, err = run(
        capsys, "revoke", "--identity", str(p / "lic.key"), "--grant", str(p / "g2.grant"),
        "--out", str(p / "bad.revocation"),
    )  # fmt: skip
    assert code == 1 and "grantor" in err and "Traceback" not in err


def test_chain_aggregate_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = two_stages(tmp_path, capsys, ("--bls",), ("--bls",))
    links = (str(p / "acme.bundle"), str(p / "lic.bundle"))
    code, out, err = run(capsys, "chain", "aggregate", *links, "--out", str(p / "chain.agg"))
    assert code == 0 and "verified" in out, err
    code, out, _ = run(
        capsys, "chain", "verify", *links, "--unsafe-trust-claimed-time",
        "--aggregate", str(p / "chain.agg"), "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["verdict"] == "valid"
    (p / "bad.agg").write_bytes(b"\x93garbage")
    code, _, err = run(capsys, "chain", "verify", *links, "--aggregate", str(p / "bad.agg"))
    assert code == 2 and "bad.agg" in err and "Traceback" not in err
