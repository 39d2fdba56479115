"""Time evidence for bundles: transparency-log inclusion and RFC 3161 timestamps.

This module is the seam between ``commit`` and the trusted-time machinery: ``add_time_evidence``
submits a bundle to a log and/or a TSA and returns the bundle with the evidence attached. Each piece
of evidence is checked before it is stored (the log's inclusion proof against its checkpoint; the
TSA's reply against the request); whether it is *trusted* is decided later by the verifier's pins.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..protocol.checkpoint import NoteVerifier
from ..protocol.records import Bundle
from ..protocol.timeproof import LogProof

__all__ = ["add_log_proof", "add_time_evidence"]


def add_log_proof(bundle: Bundle, proof: LogProof) -> tuple[Bundle, bool]:
    """``bundle`` with ``proof`` added, unless it already holds a proof of the same entry in the
    same log (the older one is kept: it proves the earlier time). Returns (bundle, added)."""
    new_cp = proof.unverified_checkpoint()
    for value in bundle.log_proofs:
        try:
            old = LogProof.from_value(value)
            same = old.index == proof.index and old.unverified_checkpoint().origin == new_cp.origin
        except Exception:
            continue
        if same:
            return bundle, False
    return bundle.with_evidence(log_proofs=(*bundle.log_proofs, proof.to_value())), True


def add_time_evidence(
    bundle: Bundle,
    *,
    log_url: str | None,
    tsa_url: str | None,
    log_verifiers: Sequence[NoteVerifier] = (),
) -> Bundle:
    """Submit ``bundle`` to the log at ``log_url`` and/or the TSA at ``tsa_url``; attach the proofs.

    Raises :class:`~modelprint.protocol.errors.TransportError` when a server fails and
    :class:`~modelprint.protocol.errors.LogError` when a log's answer does not verify.
    """
    if log_url is not None:
        from .tlog_client import LogClient

        with LogClient(log_url) as client:
            proof = client.submit(bundle, verifiers=log_verifiers)
        bundle, _ = add_log_proof(bundle, proof)
    if tsa_url is not None:
        from .timestamp import request_timestamp

        evidence = request_timestamp(bundle, tsa_url)
        bundle = bundle.with_evidence(timestamps=(*bundle.timestamps, evidence.to_value()))
    return bundle
