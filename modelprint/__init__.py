"""modelprint: cryptographic provenance for large language models.

The public API is re-exported lazily, so ``import modelprint`` (and the sans-IO core under
``modelprint.protocol``) never pulls in torch, transformers or an HTTP library. The recipes for the
three jobs are here: :func:`publish` (commit, timestamp, log), :func:`answer_challenge` (the
publisher's reveal, with its ledger), :func:`audit` / :func:`audit_async` (challenge a suspect and
get a typed verdict) and :func:`verify_chain`; every verdict takes one :class:`TrustPolicy`
(:func:`load_trust_policy` reads the pinned keys).

Layers, bottom up (an import goes down, never sideways or up; ``tests/test_layers.py`` checks):

    modelprint.protocol    sans-IO core: records, the protocol, scoring, the trust policy
    modelprint.runtime     files, key files, models, HTTP request reading
    modelprint.commit | modelprint.implant | modelprint.verify   (none imports another)
    modelprint (these recipes), modelprint.cli, modelprint.demo
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
            "ExportError",
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
    # the sans-IO core: records and the protocol
    "FingerprintSet": "modelprint.protocol.fingerprints",
    "FingerprintPair": "modelprint.protocol.fingerprints",
    "MerkleTree": "modelprint.protocol.merkle",
    "Commitment": "modelprint.protocol.records",
    "Grant": "modelprint.protocol.records",
    "Bundle": "modelprint.protocol.records",
    "Envelope": "modelprint.protocol.envelope",
    "Challenge": "modelprint.protocol.challenge",
    "SignedReveal": "modelprint.protocol.challenge",
    "Verdict": "modelprint.protocol.scoring",
    "VerdictKind": "modelprint.protocol.verdicts",
    "to_unix": "modelprint.protocol.times",
    "iso": "modelprint.protocol.times",
    # the one trust policy
    "TrustPolicy": "modelprint.protocol.trust",
    "AnyOf": "modelprint.protocol.trust",
    "AllOf": "modelprint.protocol.trust",
    "PinnedLog": "modelprint.protocol.trust",
    "PinnedTSA": "modelprint.protocol.trust",
    "PinnedWitness": "modelprint.protocol.trust",
    "WitnessQuorum": "modelprint.protocol.trust",
    "UnsafeClaimedTime": "modelprint.protocol.trust",
    "TimeReport": "modelprint.protocol.trust",
    "assess": "modelprint.protocol.trust",
    "verify_time": "modelprint.protocol.trust",
    "load_trust_policy": "modelprint.runtime.keyfiles",
    # files
    "load_bundle": "modelprint.runtime.documents",
    "save_bundle": "modelprint.runtime.documents",
    "load_challenge": "modelprint.runtime.documents",
    "load_reveal": "modelprint.runtime.documents",
    "load_fingerprints": "modelprint.runtime.documents",
    "save_fingerprints": "modelprint.runtime.documents",
    "load_grant": "modelprint.runtime.documents",
    "export_bundle": "modelprint.runtime.export",
    # the publisher
    "Identity": "modelprint.commit.identity",
    "create_commitment": "modelprint.commit.commitment",
    "create_grant": "modelprint.commit.commitment",
    "publish": "modelprint.commit.publish",
    "add_evidence": "modelprint.commit.publish",
    "Publication": "modelprint.commit.publish",
    "answer_challenge": "modelprint.commit.reveal",
    "RevealResult": "modelprint.commit.reveal",
    # the auditor
    "new_challenge": "modelprint.verify.audit",
    "audit": "modelprint.verify.audit",
    "audit_async": "modelprint.verify.audit",
    "responder_for": "modelprint.verify.audit",
    "Outcome": "modelprint.verify.session",
    "verify_chain": "modelprint.verify.chain",
    "ChainResult": "modelprint.verify.chain",
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
