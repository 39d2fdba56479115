"""The real RFC 3161 TSA of :mod:`modelprint.commit.tsa_server`, in the shape the tests use.

:func:`make_pki` creates a TSA directory (root CA, TSA certificate with the timeStamping EKU,
key); :class:`OpenSSLTSA` serves it on ``http://127.0.0.1:<port>`` as a context manager. Nothing
here is mocked: the tokens are what ``openssl ts -reply`` sends.
"""

from __future__ import annotations

from pathlib import Path

from modelprint.commit.tsa_server import TSADirectory, TSAServer, create_tsa_directory

__all__ = ["PKI", "OpenSSLTSA", "make_pki"]

PKI = TSADirectory


def make_pki(folder: Path, name: str = "Test TSA", *, eku_critical: bool = True) -> PKI:
    """Create a root CA and a TSA certificate under ``folder``."""
    return create_tsa_directory(folder, name, eku_critical=eku_critical)


class OpenSSLTSA:
    """The TSA of ``pki`` on a free loopback port while the ``with`` block runs."""

    def __init__(self, pki: PKI) -> None:
        self.pki = pki
        self._server = TSAServer(pki)

    @property
    def url(self) -> str:
        return self._server.url + "/"

    def reply(self, query: bytes) -> bytes:
        return self._server.reply(query)

    def __enter__(self) -> OpenSSLTSA:
        self._server.start_background()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
