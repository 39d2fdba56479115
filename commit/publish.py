"""Publishing a commitment: sign it, then gather its time evidence from a log and/or a TSA.

:func:`publish` is the publisher's whole recipe (what ``modelprint commit --log --tsa`` runs): sign
a commitment to a fingerprint set, write the bundle, then submit it to a transparency log and an
RFC 3161 TSA and write it again with the evidence. The bundle is written before any server is
asked, so a log or TSA that fails never loses the commitment; :attr:`Publication.failures` says
what is missing, and :func:`add_evidence` (``modelprint publish``) adds it later.

Each piece of evidence is checked before it is stored (the log's inclusion proof against its
checkpoint; the TSA's reply against the request); with ``policy`` the new log proof must also hold
under the caller's pinned keys. Whether evidence is *trusted* is the verifier's decision
(:mod:`modelprint.protocol.trust`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from ..protocol.envelope import Envelope
from ..protocol.errors import ConfigError, DecodeError, LogError, TimeEvidenceError, TransportError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.records import Bundle, Evidenced
from ..protocol.revocation import SignedRevocation
from ..protocol.timeproof import LogProof
from ..protocol.times import TimeLike
from ..protocol.trust import TrustPolicy, assess
from ..runtime.documents import save_bundle, save_revocation
from .commitment import create_commitment, create_revocation
from .identity import Identity
from .ledger import Ledger, LedgerCommitment

__all__ = ["Publication", "add_evidence", "add_log_proof", "publish", "revoke"]

E = TypeVar("E", bound=Evidenced)


@dataclass(frozen=True)
class Publication:
    """A published bundle and what its publication could not get (``failures``: one line each)."""

    bundle: Bundle
    failures: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.failures


def add_log_proof(bundle: E, proof: LogProof) -> tuple[E, bool]:
    """``bundle`` with ``proof`` added, unless it already holds a proof of the same entry in the
    same log (the older one is kept: it proves the earlier time). Returns (bundle, added)."""
    new_cp = proof.unverified_checkpoint()
    for value in bundle.log_proofs:
        try:
            old = LogProof.from_value(value)
            same = old.index == proof.index and old.unverified_checkpoint().origin == new_cp.origin
        except DecodeError:
            continue
        if same:
            return bundle, False
    return bundle.with_evidence(log_proofs=(*bundle.log_proofs, proof.to_value())), True


def _check_pinned(bundle: Evidenced, position: int, policy: TrustPolicy, url: str) -> None:
    """Raise :class:`LogError` unless the log proof at ``position`` is trusted under ``policy``."""
    item = next(
        i for i in assess(bundle, policy).items if i.kind == "log" and i.position == position
    )
    if item.status != "trusted":
        raise LogError(
            f"{url}: the log's proof does not hold under the pinned keys ({item.reason})"
        )


def add_evidence(
    bundle: E,
    *,
    log: str | None = None,
    tsa: str | None = None,
    policy: TrustPolicy | None = None,
) -> E:
    """Submit ``bundle`` (or a signed revocation) to the log at ``log`` and/or the TSA at ``tsa``;
    attach the proofs.

    Raises :class:`~modelprint.protocol.errors.TransportError` when a server fails and
    :class:`~modelprint.protocol.errors.LogError` when a log's answer does not verify (with
    ``policy``: does not verify under the pinned keys).
    """
    if log is not None:
        from .tlog_client import LogClient

        with LogClient(log) as client:
            proof = client.submit(bundle)
        updated, added = add_log_proof(bundle, proof)
        if policy is not None and added:
            _check_pinned(updated, len(updated.log_proofs) - 1, policy, log)
        bundle = updated
    if tsa is not None:
        from .timestamp import request_timestamp

        evidence = request_timestamp(bundle, tsa)
        bundle = bundle.with_evidence(timestamps=(*bundle.timestamps, evidence.to_value()))
    return bundle


def publish(
    fingerprints: FingerprintSet,
    identity: Identity,
    *,
    model_name: str,
    out: str | os.PathLike[str] | None = None,
    log: str | None = None,
    tsa: str | None = None,
    policy: TrustPolicy | None = None,
    parent: Bundle | None = None,
    grant: Envelope | None = None,
    attachments: Mapping[str, bytes] | None = None,
    claimed_time: TimeLike | None = None,
    ledger: str | os.PathLike[str] | None = None,
    bls_key: bool = False,
) -> Publication:
    """Commit to ``fingerprints`` and gather time evidence: the publisher's recipe.

    The bundle is written to ``out`` (when given) before any server is asked and again with the
    evidence. A log or TSA that fails is reported in :attr:`Publication.failures`, not raised: the
    signed commitment is valid without it, and :func:`add_evidence` can add it later. With
    ``ledger`` (the publisher's ledger of this fingerprint set), the bundle is registered there
    first, so a later :func:`~modelprint.commit.reveal.answer_challenge` can check the identity
    without the bundle. ``bls_key`` registers the identity's BLS key in the commitment and
    BLS-signs its link (for ``chain aggregate``).
    """
    _check_urls(log, tsa)
    bundle = create_commitment(
        fingerprints,
        identity,
        model_name=model_name,
        claimed_time=claimed_time,
        parent=parent,
        grant=grant,
        attachments=attachments,
        bls_key=bls_key,
    )
    if ledger is not None:
        Ledger.register(
            ledger, fingerprints.root(), LedgerCommitment(bundle.content_id(), identity.public_key)
        )
    bundle, failures = _gather(bundle, out, save_bundle, log=log, tsa=tsa, policy=policy)
    return Publication(bundle, failures)


def revoke(
    identity: Identity,
    grant: Envelope,
    *,
    reason: str,
    out: str | os.PathLike[str] | None = None,
    log: str | None = None,
    tsa: str | None = None,
    policy: TrustPolicy | None = None,
    claimed_time: TimeLike | None = None,
) -> tuple[SignedRevocation, tuple[str, ...]]:
    """Revoke ``grant`` and gather the revocation's time evidence: the grantor's recipe.

    Like :func:`publish`: the signed revocation is written to ``out`` before any server is asked
    and again with the evidence; what could not be had is returned (one line each), not raised.
    A revocation counts against a chain only with a trusted time, so publish it to a log.
    """
    _check_urls(log, tsa)
    revocation = create_revocation(identity, grant, reason=reason, claimed_time=claimed_time)
    return _gather(revocation, out, save_revocation, log=log, tsa=tsa, policy=policy)


def _check_urls(*sources: str | None) -> None:
    for source in sources:
        if source is not None and not source.startswith(("http://", "https://")):
            raise ConfigError(f"{source}: a log or TSA URL starts with http:// or https://")


def _gather(
    record: E,
    out: str | os.PathLike[str] | None,
    save: Callable[[str | os.PathLike[str], E], None],
    *,
    log: str | None,
    tsa: str | None,
    policy: TrustPolicy | None,
) -> tuple[E, tuple[str, ...]]:
    """Write ``record``, add evidence from ``log`` then ``tsa``, write it again; the failures."""
    if out is not None:
        save(out, record)
    failures: list[str] = []
    for what, source in (("log", log), ("tsa", tsa)):
        if source is None:
            continue
        try:
            record = add_evidence(
                record, log=source if what == "log" else None, tsa=source if what == "tsa" else None,
                policy=policy,
            )  # fmt: skip
        except (TransportError, TimeEvidenceError) as exc:
            failures.append(f"{what} {source}: {exc}")
    if out is not None and (log or tsa):
        save(out, record)
    return record, tuple(failures)
