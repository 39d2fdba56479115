"""Canonical msgpack: exactly one byte string for every value.

Allowed values are ``None``, ``bool``, ``int`` (-2**63 .. 2**64-1), ``str``, ``bytes``, ``list`` and
``dict`` with ``str`` keys. Maps are written with keys sorted by their UTF-8 bytes; integers, strings,
binaries, arrays and maps use their shortest header (msgpack does this itself); floats and extension
types are refused. Decoding re-encodes the value and rejects anything that is not byte-identical, so a
signature over canonical bytes covers exactly one value.
"""

from __future__ import annotations

from typing import Any

import msgpack

from .errors import DecodeError, FileKindError, NonCanonicalError, SizeLimitError

__all__ = ["MAX_DEPTH", "MAX_DOCUMENT", "Value", "decode", "decode_document", "encode"]

Value = Any  # None | bool | int | str | bytes | list[Value] | dict[str, Value]

MAX_DOCUMENT = 64 * 1024 * 1024
"""The largest canonical document accepted (bytes)."""

MAX_DEPTH = 32
"""The deepest nesting of arrays and maps accepted."""

_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1


def _check(value: Value, depth: int) -> Value:
    """Validate a value tree and return it with every map's keys sorted."""
    if depth > MAX_DEPTH:
        raise SizeLimitError(f"nesting deeper than {MAX_DEPTH}")
    if value is None or isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise DecodeError("integer out of the 64-bit range")
        return value
    if isinstance(value, (list, tuple)):
        return [_check(v, depth + 1) for v in value]
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise DecodeError("map key is not a string")
        return {k: _check(value[k], depth + 1) for k in sorted(value, key=lambda s: s.encode())}
    if isinstance(value, float):
        raise DecodeError("floats are not allowed in canonical encoding")
    raise DecodeError(f"type {type(value).__name__} is not allowed in canonical encoding")


def encode(value: Value) -> bytes:
    """Encode ``value`` canonically. Raises :class:`DecodeError` for values outside the model."""
    data: bytes = msgpack.packb(_check(value, 0), use_bin_type=True)
    return data


def _pairs_no_duplicates(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise NonCanonicalError("duplicate map key")
    return result


def decode(data: bytes, *, max_size: int = MAX_DOCUMENT) -> Value:
    """Decode canonical bytes; reject truncation, trailing bytes and any non-canonical form."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DecodeError("expected bytes")
    data = bytes(data)
    if len(data) > max_size:
        raise SizeLimitError(f"document of {len(data)} bytes exceeds the {max_size}-byte limit")
    if not data:
        raise DecodeError("empty input")
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            use_list=True,
            strict_map_key=True,
            object_pairs_hook=_pairs_no_duplicates,
            max_str_len=len(data),
            max_bin_len=len(data),
            max_array_len=len(data),
            max_map_len=len(data),
            max_ext_len=0,
        )
    except NonCanonicalError:
        raise
    except msgpack.ExtraData as exc:
        raise DecodeError("trailing bytes after the document") from exc
    except UnicodeDecodeError as exc:
        raise DecodeError("string is not valid UTF-8") from exc
    except (ValueError, TypeError, msgpack.UnpackException, RecursionError) as exc:
        raise DecodeError("malformed msgpack (not a modelprint document)") from exc
    try:
        again = encode(value)
    except DecodeError as exc:
        raise NonCanonicalError(str(exc)) from exc
    if again != data:
        raise NonCanonicalError("bytes are not the canonical encoding of their value")
    return value


def is_map_header(first: int) -> bool:
    """Whether a byte starts a msgpack map (fixmap, map16 or map32)."""
    return 0x80 <= first <= 0x8F or first in (0xDE, 0xDF)


def decode_document(data: bytes, *, max_size: int = MAX_DOCUMENT) -> dict[str, Value]:
    """Decode a modelprint document: a canonical map. Other bytes are not a modelprint file."""
    if data and not is_map_header(data[0]):
        raise FileKindError("not a modelprint file")
    value = decode(data, max_size=max_size)
    if not isinstance(value, dict):  # pragma: no cover - guaranteed by the header check
        raise FileKindError("not a modelprint file")
    return value
