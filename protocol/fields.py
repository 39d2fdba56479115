"""Reading the fields of a decoded canonical document: one rule, one error per fault.

Every record (commitments, grants, bundles, challenges, reveals, evidence, ledgers) is a canonical
msgpack map. :func:`document` checks its ``kind``, ``version`` and exact field set; the ``field_*``
readers check one field's type and bounds. Each fault raises a
:class:`~modelprint.protocol.errors.DecodeError` (a wrong kind: :class:`FileKindError`, another
version: :class:`UnsupportedVersionError`, both kinds of DecodeError) whose message names the
document kind or the field, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from .errors import DecodeError, FileKindError, SizeLimitError, UnsupportedVersionError

__all__ = [
    "document",
    "field_bytes",
    "field_int",
    "field_list",
    "field_map",
    "field_opt_bytes",
    "field_str",
]


def document(
    value: object, kind: str, required: Set[str], optional: Set[str] = frozenset()
) -> dict[str, Any]:
    """``value`` as a document of ``kind`` (version 1) holding ``required`` and maybe ``optional``
    fields and no others."""
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise FileKindError(f"not a {kind} document")
    if value["kind"] != kind:
        raise FileKindError(f"expected {kind}, found {value['kind'][:80]}")
    if value.get("version") != 1:
        raise UnsupportedVersionError(f"{kind} version {value.get('version')!r} is not supported")
    keys = set(value)
    if not required <= keys or not keys <= set(required) | set(optional) | {"kind", "version"}:
        raise DecodeError(f"{kind}: unexpected or missing fields")
    return value


def field_bytes(doc: Mapping[str, Any], name: str, size: int | None = 32) -> bytes:
    """A ``bin`` field of exactly ``size`` bytes (any length when ``size`` is None)."""
    value = doc.get(name)
    if not isinstance(value, bytes) or (size is not None and len(value) != size):
        raise DecodeError(f"field {name!r} must be {size or 'some'} bytes")
    return value


def field_opt_bytes(doc: Mapping[str, Any], name: str, size: int = 32) -> bytes | None:
    """:func:`field_bytes`, or ``None`` when the field is nil."""
    return None if doc.get(name) is None else field_bytes(doc, name, size)


def field_int(doc: Mapping[str, Any], name: str, lo: int, hi: int) -> int:
    """An integer field in ``lo..hi`` (booleans are not integers here)."""
    value = doc.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise DecodeError(f"field {name!r} must be an integer in {lo}..{hi}")
    return value


def field_str(doc: Mapping[str, Any], name: str, max_len: int) -> str:
    """A non-empty string field of at most ``max_len`` characters."""
    value = doc.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise DecodeError(f"field {name!r} must be a string of 1..{max_len} characters")
    return value


def field_list(doc: Mapping[str, Any], name: str, max_len: int, *, min_len: int = 0) -> list[Any]:
    """A list field of ``min_len..max_len`` items (a longer one: :class:`SizeLimitError`)."""
    value = doc.get(name)
    if not isinstance(value, list):
        raise DecodeError(f"field {name!r} must be a list")
    if len(value) > max_len:
        raise SizeLimitError(f"field {name!r} holds more than {max_len} items")
    if len(value) < min_len:
        raise DecodeError(f"field {name!r} must hold at least {min_len} items")
    return value


def field_map(doc: Mapping[str, Any], name: str, max_len: int) -> dict[Any, Any]:
    """A map field of at most ``max_len`` entries."""
    value = doc.get(name)
    if not isinstance(value, dict):
        raise DecodeError(f"field {name!r} must be a map")
    if len(value) > max_len:
        raise SizeLimitError(f"field {name!r} holds more than {max_len} entries")
    return value
