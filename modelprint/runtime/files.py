"""File handling shared by every command: bounded reads, atomic writes, secret-file permissions.

Writes go to a temporary file (or folder) beside the target and are renamed into place, so a crash
or a bad input never leaves a half-written file or destroys the previous one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..protocol.errors import (
    ConfigError,
    DecodeError,
    InputError,
    KeyPermissionError,
    SizeLimitError,
)

__all__ = [
    "atomic_directory",
    "check_private_mode",
    "new_directory_check",
    "read_bytes",
    "read_json",
    "write_atomic",
]

MAX_FILE = 64 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str], *, max_size: int = MAX_FILE) -> bytes:
    """Read a whole file, refusing missing files, folders and files over ``max_size``."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    if not p.is_file():
        raise InputError(f"{p}: not a regular file")
    if size > max_size:
        raise SizeLimitError(f"{p}: {size} bytes exceeds the {max_size}-byte limit")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    if not data:
        raise DecodeError(f"{p}: empty file")
    return data


def check_private_mode(path: str | os.PathLike[str]) -> None:
    """Refuse a secret file that group or others may read or write."""
    mode = Path(path).stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyPermissionError(
            f"{path}: permissions {stat.S_IMODE(mode):04o} are too open; run chmod 600 {path}"
        )


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode`` (0o600 for secrets)."""
    p = Path(path)
    if not overwrite and p.exists():
        raise InputError(f"{p}: already exists (refusing to overwrite)")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def new_directory_check(out: str | os.PathLike[str]) -> Path:
    """Refuse an ``out`` folder that exists with anything in it, or whose parent is missing."""
    p = Path(out)
    if p.exists() and (not p.is_dir() or any(p.iterdir())):
        raise ConfigError(f"{p}: already exists and is not empty; choose a new --out")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"{parent}: no such directory")
    return p


@contextlib.contextmanager
def atomic_directory(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a new folder all at once: yields a scratch sibling that becomes ``out`` on success.

    ``out`` must not exist or be empty (checked first, before any work). Should the block raise,
    the scratch folder is removed and ``out`` is left as it was.
    """
    target = new_directory_check(out)
    parent = target.parent if str(target.parent) else Path(".")
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        yield scratch
        if target.exists():
            target.rmdir()
        scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def read_json(path: str | os.PathLike[str], *, max_size: int = MAX_FILE) -> Any:
    """Read and parse a JSON file; garbage, deep nesting or bad UTF-8 raise :class:`DecodeError`
    naming the file (never a bare ``JSONDecodeError`` or ``RecursionError``)."""
    data = read_bytes(path, max_size=max_size)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DecodeError(f"{path}: not a JSON document") from None
