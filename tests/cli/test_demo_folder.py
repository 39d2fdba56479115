"""`demo` empties its own folder between runs and never a folder it did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelprint.demo import DEMO_MARKER, fresh_workdir
from modelprint.protocol.errors import ConfigError


def test_a_new_folder_is_made_and_marked(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "demo"
    fresh_workdir(folder)
    assert [p.name for p in folder.iterdir()] == [DEMO_MARKER]


def test_an_earlier_demo_folder_is_emptied_subfolders_included(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    fresh_workdir(folder)
    (folder / "acme-model").mkdir()
    (folder / "acme-model" / "model.safetensors").write_bytes(b"x")
    (folder / "fp.secret").write_bytes(b"y")
    fresh_workdir(folder)  # the second run used to stop at its implant step
    assert [p.name for p in folder.iterdir()] == [DEMO_MARKER]


def test_someone_elses_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError, match="not a demo folder"):
        fresh_workdir(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "sub").is_dir()
    file = tmp_path / "notes.txt"
    with pytest.raises(ConfigError, match="not a folder"):
        fresh_workdir(file)
