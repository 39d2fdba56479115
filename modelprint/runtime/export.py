"""Writing a bundle's records and log proofs in standard formats (:mod:`modelprint.protocol.export`).

One recipe for the CLI and the Python API: read the bundle (and, for an in-toto statement, the
publisher's key), export, write the file atomically; every error names the file it is about.
"""

from __future__ import annotations

import os

from ..protocol.errors import ModelprintError
from ..protocol.export import export
from .documents import load_bundle
from .files import write_atomic
from .keyfiles import load_private_key

__all__ = ["export_bundle"]

PathLike = str | os.PathLike[str]


def export_bundle(
    bundle: PathLike,
    out: PathLike,
    fmt: str,
    *,
    record: str = "commitment",
    identity: PathLike | None = None,
    origin: str | None = None,
) -> bytes:
    """Export ``bundle`` as ``fmt`` (``dsse``, ``in-toto``, ``tlog-proof``) to ``out``; return
    the bytes written. ``identity`` (``ID.key``, the publisher's) signs an in-toto statement."""
    loaded = load_bundle(bundle)
    key = None if identity is None else load_private_key(identity)
    try:
        data = export(loaded, fmt, record=record, key=key, origin=origin)
    except ModelprintError as exc:
        where = f"{bundle} with {identity}" if key is not None and fmt == "in-toto" else bundle
        raise type(exc)(f"{where}: {exc}") from exc
    write_atomic(out, data, mode=0o644)
    return data
