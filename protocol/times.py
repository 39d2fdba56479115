"""Times as modelprint reads and writes them: unix seconds inside records, ISO 8601 for people.

Records carry whole seconds since the epoch (UTC). People and the API may give a time as an ISO 8601
string (``2026-06-01T00:00:00Z``, ``2026-06-01``; a time without a zone is UTC), a
:class:`~datetime.datetime` (naive ones are UTC) or unix seconds; :func:`to_unix` turns any of them
into seconds and :func:`iso` writes seconds back as ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import ConfigError

__all__ = ["MAX_TIME", "TimeLike", "iso", "iso_or_none", "to_unix"]

MAX_TIME = 2**40
"""The latest time a record may carry (seconds since the epoch; far beyond any real date)."""

TimeLike = int | str | datetime
"""What the API accepts as a time: unix seconds, an ISO 8601 string or a datetime."""


def to_unix(value: TimeLike, *, what: str = "time") -> int:
    """``value`` as whole unix seconds (UTC); :class:`ConfigError` names ``what`` when it is not
    a time or lies outside 0..:data:`MAX_TIME`."""
    if isinstance(value, bool):
        raise ConfigError(f"{what}: not a time: {value!r}")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        seconds = int(moment.timestamp())
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ConfigError(f"{what}: not an ISO 8601 time: {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = int(moment.timestamp())
    else:
        raise ConfigError(f"{what}: not a time: {type(value).__name__}")
    if not 0 <= seconds <= MAX_TIME:
        raise ConfigError(f"{what}: {value!r} lies outside 1970..36812")
    return seconds


def iso(seconds: int) -> str:
    """``seconds`` since the epoch as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_or_none(seconds: int | None) -> str | None:
    """:func:`iso`, passing ``None`` through (an absent time stays absent)."""
    return None if seconds is None else iso(seconds)
