"""Printing for the CLI: human text or ``--json``, errors on stderr, progress on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..runtime.files import write_atomic

__all__ = ["Output", "html_flag", "to_jsonable", "write_html"]


def html_flag(p: argparse.ArgumentParser, what: str) -> None:
    """``--html FILE``: also write ``what`` as one self-contained HTML page."""
    p.add_argument(
        "--html",
        type=Path,
        metavar="FILE.html",
        help=f"also write {what} as one self-contained HTML page (no network needed to view it)",
    )


def write_html(path: Path, page: str) -> None:
    """Write an HTML report atomically (0644: reports are for sharing)."""
    write_atomic(path, page.encode("utf-8"), mode=0o644)


def to_jsonable(value: Any) -> Any:
    """Make a value JSON-serializable: bytes become hex, tuples lists, dataclasses dicts."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


class Output:
    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode

    def result(self, data: dict[str, Any], text: str | None = None) -> None:
        """Print a command's result: ``data`` as JSON in --json mode, else ``text``."""
        if self.json_mode:
            sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")
        elif text is not None:
            sys.stdout.write(text.rstrip("\n") + "\n")
        sys.stdout.flush()

    def info(self, text: str) -> None:
        """A human-readable status line (stderr, so --json stdout stays clean)."""
        sys.stderr.write(text.rstrip("\n") + "\n")

    def error(self, text: str) -> None:
        sys.stderr.write("modelprint: error: " + text.replace("\n", " ").strip() + "\n")
        sys.stderr.flush()
