"""modelprint: cryptographic provenance for large language models.

The public API is re-exported lazily, so ``import modelprint`` (and the sans-IO core under
``modelprint.protocol``) never pulls in torch, transformers or an HTTP library.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors (the one hierarchy, defined in the sans-IO core)
    **{
        name: "modelprint.protocol.errors"
        for name in [
            "ModelprintError",
            "InputError",
            "DecodeError",
            "NonCanonicalError",
            "SizeLimitError",
            "FileKindError",
            "UnsupportedVersionError",
            "ConfigError",
            "KeyFileError",
            "KeyPermissionError",
            "PassphraseError",
            "VerificationError",
            "SignatureError",
            "ProofError",
            "CommitmentError",
            "TimeEvidenceError",
            "LogError",
            "TimestampError",
            "ChainError",
            "StateError",
            "TransportError",
        ]
    },
    "FingerprintSet": "modelprint.protocol.fingerprints",
    "FingerprintPair": "modelprint.protocol.fingerprints",
    "MerkleTree": "modelprint.protocol.merkle",
    "Commitment": "modelprint.protocol.records",
    "Grant": "modelprint.protocol.records",
    "Envelope": "modelprint.protocol.envelope",
    "Identity": "modelprint.commit.identity",
    "Bundle": "modelprint.commit.bundle",
    "create_commitment": "modelprint.commit.commitment",
    "create_grant": "modelprint.commit.commitment",
    "AnyOf": "modelprint.commit.timepolicy",
    "AllOf": "modelprint.commit.timepolicy",
    "PinnedLog": "modelprint.commit.timepolicy",
    "PinnedTSA": "modelprint.commit.timepolicy",
    "earliest_trusted_time": "modelprint.commit.timepolicy",
    "verify_time": "modelprint.commit.timepolicy",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'modelprint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
