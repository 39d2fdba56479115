"""Time evidence for bundles: transparency-log inclusion and RFC 3161 timestamps.

This module is the seam between ``commit`` and the trusted-time machinery: ``add_time_evidence``
submits a bundle to a log and/or a TSA and returns the bundle with the evidence attached.
"""

from __future__ import annotations

from ..protocol.errors import ConfigError
from ..protocol.records import Bundle

__all__ = ["add_time_evidence"]


def add_time_evidence(bundle: Bundle, *, log_url: str | None, tsa_url: str | None) -> Bundle:
    if log_url is None and tsa_url is None:
        return bundle
    raise ConfigError("transparency logs and timestamp authorities are not available yet")
