"""natural/v1 is the default scheme of ``fingerprints``; the older schemes stay available."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelprint.cli import main


def test_fingerprints_default_to_natural_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fingerprints", "--count", "4", "--out", str(tmp_path / "fp.secret")]) == 0
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "fp.secret"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scheme"] == "natural/v1"
    assert main(["fingerprints", "--count", "4", "--scheme", "if-decrypt/v1",
                 "--out", str(tmp_path / "old.secret")]) == 0  # fmt: skip
    code = main(["fingerprints", "--count", "4", "--key-chars", "8",
                 "--out", str(tmp_path / "bad.secret")])  # fmt: skip
    assert code == 2 and not (tmp_path / "bad.secret").exists()
