"""Files: bounded JSON reads that never leak a parser's exception; folders written all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelprint.protocol.errors import ConfigError, DecodeError
from modelprint.runtime.files import atomic_directory, read_json


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[" * 100_000, b'{"a": ' * 50_000 + b"1" + b"}" * 50_000],
)
def test_bad_json_is_a_decode_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    with pytest.raises(DecodeError, match=r"doc\.json"):
        read_json(path)


def test_a_folder_appears_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with pytest.raises(RuntimeError), atomic_directory(out) as scratch:
        (scratch / "half.bin").write_bytes(b"x")
        raise RuntimeError("crash mid-write")
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with atomic_directory(out) as scratch:
        (scratch / "whole.bin").write_bytes(b"x")
    assert (out / "whole.bin").read_bytes() == b"x"
    with pytest.raises(ConfigError, match="not empty"), atomic_directory(out):
        pass
    assert (out / "whole.bin").is_file()


def test_deep_json_stays_a_decode_error_once_bls_has_run(tmp_path: Path) -> None:
    """py_ecc raises the recursion limit on import; a deep document must not then crash the C
    parser (a segfault) instead of failing as a DecodeError."""
    import sys

    from modelprint.protocol import bls

    limit = sys.getrecursionlimit()
    bls.derive_secret(bytes(32))
    assert sys.getrecursionlimit() == limit
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 200_000)
    with pytest.raises(DecodeError, match=r"deep\.json"):
        read_json(path)
