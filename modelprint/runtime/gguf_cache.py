"""A cache of GGUF models converted to Hugging Face directories, so a GGUF loads in seconds.

transformers reads a GGUF three times (config, tokenizer, weights) and names every tensor through a
freshly built table: about 35 s for the embedded SmolLM2 on two CPU cores, of which dequantizing is
the least. The converted model (float32 safetensors, the tokenizer with its chat template, the
config) is the same model, so the first load writes it to the cache and later loads read it from
there.

    where   $MODELPRINT_CACHE, else $XDG_CACHE_HOME/modelprint, else ~/.cache/modelprint
    key     SHA-256 of the GGUF file and the transformers version that converted it
    off     MODELPRINT_CACHE=off

An entry is written into a temporary folder beside the cache and renamed into place only when it is
complete (a marker file names the source), so a crash or a concurrent writer leaves no half-written
entry; a cache that cannot be written costs only the speed-up, never the load.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["CACHE_ENV", "cache_root", "cached_conversion", "store_conversion"]

CACHE_ENV = "MODELPRINT_CACHE"
_MARKER = "modelprint-gguf-source.txt"


def cache_root() -> Path | None:
    """The cache folder, or None when the cache is switched off."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "0", "none", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "modelprint"


def _entry(gguf: Path) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    stat = gguf.stat()
    return root / f"gguf-{_digest(str(gguf.resolve()), stat.st_size, stat.st_mtime_ns)}"


@functools.lru_cache(maxsize=8)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """The entry's name for one version of a file (hashed once a process: a cold load looks the
    entry up and then stores it; size and mtime key out a file changed in place)."""
    import transformers

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"transformers {transformers.__version__}".encode())
    return digest.hexdigest()[:32]


def cached_conversion(gguf: Path) -> Path | None:
    """The converted directory of ``gguf`` if the cache holds a complete one, else None."""
    try:
        entry = _entry(gguf)
    except OSError:
        return None
    if entry is None or not (entry / _MARKER).is_file() or not (entry / "config.json").is_file():
        return None
    return entry


def store_conversion(gguf: Path, model: Any, tokenizer: Any) -> None:
    """Write a just-converted ``model`` and ``tokenizer`` of ``gguf`` to the cache (best effort)."""
    try:
        entry = _entry(gguf)
        if entry is None or (entry / _MARKER).is_file():
            return
        entry.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".gguf-", dir=entry.parent))
    except OSError:
        return
    try:
        model.save_pretrained(str(scratch), safe_serialization=True)
        tokenizer.save_pretrained(str(scratch))
        (scratch / _MARKER).write_text(f"{gguf.name}\n", encoding="utf-8")
        os.rename(scratch, entry)  # a complete entry appears at once, or not at all
    except (OSError, ValueError, RuntimeError):
        pass  # no space, read-only, another process was first: the load itself is unaffected
    finally:
        with contextlib.suppress(OSError):
            if scratch.exists():
                shutil.rmtree(scratch)
