"""Shared pytest configuration: fixtures every package's tests may use."""

from __future__ import annotations

# tsa_server (a real RFC 3161 TSA on loopback) and log_server (a real transparency log on loopback)
pytest_plugins = ["tests.timelog.fixtures"]
