"""``modelprint whitebox compare`` and ``whitebox png``: JSON shape, pictures, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelprint.cli import main


def test_compare_prints_similarity_and_terms_as_json_and_writes_png(
    tiny: Callable[..., Any],
    tiny_dir: Callable[[Any, str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = tiny_dir(tiny(0), "a"), tiny_dir(tiny(1), "b")
    png = tmp_path / "cmp.png"
    assert main(["whitebox", "compare", str(a), str(a), "--json", "--png", str(png)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["similarity"] == 100.0
    assert set(data["terms"]) == {"attn_qk", "attn_vo", "mlp_up_down"}
    assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["whitebox", "compare", str(a), str(b)]) == 0
    text = capsys.readouterr().out
    assert "HuRef similarity" in text and "not derived" in text


def test_png_command_writes_the_picture(
    tiny: Callable[..., Any],
    tiny_dir: Callable[[Any, str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "fp.png"
    assert main(["whitebox", "png", str(tiny_dir(tiny(0), "a")), "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["invariants_digest"]) == 64 and out.is_file()


def test_a_missing_model_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["whitebox", "compare", str(tmp_path / "nope"), "smollm2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err


def test_commit_whitebox_binds_invariants_that_check_later(
    tiny: Callable[..., Any],
    tiny_dir: Callable[[Any, str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, other = tiny_dir(tiny(0), "base"), tiny_dir(tiny(1), "other")
    assert main(["keygen", "--out", str(tmp_path / "id.key")]) == 0
    assert main(["fingerprints", "--count", "4", "--out", str(tmp_path / "fp.secret")]) == 0
    bundle = tmp_path / "m.bundle"
    argv = ["commit", "--identity", str(tmp_path / "id.key"), "--fingerprints",
            str(tmp_path / "fp.secret"), "--model-name", "tiny", "--out", str(bundle),
            "--whitebox", str(base)]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["inspect", "--json", str(bundle)]) == 0
    assert set(json.loads(capsys.readouterr().out)["attachments"]) == {
        "huref/v1",
        "weights-manifest/v1",
    }
    assert main(["whitebox", "check", str(bundle), str(base), "--identical", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["similarity"]["similarity"] > 99 and data["weights_match"] is True
    assert main(["whitebox", "check", str(bundle), str(other)]) == 1
    err = capsys.readouterr().err
    assert "not derived from the committed model" in err and err.count("\n") == 1
