"""Loads the JSON test vectors of specs/vectors (shared by tests of every package)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import modelprint.protocol.errors as errors

VECTORS = Path(__file__).resolve().parent.parent / "specs" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def from_json(value: Any) -> Any:
    """Undo the {"$bytes": hex} convention of the vector files."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return bytes.fromhex(value["$bytes"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def error_class(name: str) -> type[Exception]:
    cls = getattr(errors, name)
    assert issubclass(cls, errors.ModelprintError)
    return cls  # type: ignore[no-any-return]
