"""Fixtures of the trusted-time tests (the shared ones live in tests/timelog/fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle
from tests.timelog.fixtures import log_server, tsa_server

__all__ = ["log_server", "make_bundle", "tsa_server"]

_FINGERPRINTS = FingerprintSet.generate(8, "if-decrypt/v1", {})


@pytest.fixture
def make_bundle() -> Callable[[], Bundle]:
    """Fresh signed bundles (new identity each) without time evidence."""

    def make() -> Bundle:
        return create_commitment(
            _FINGERPRINTS, Identity.generate(), model_name="m", claimed_time=1_700_000_000
        )

    return make
