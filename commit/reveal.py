"""The publisher's answer to a challenge: a signed reveal, with the ledger of burned fingerprints.

:func:`answer_challenge` is the whole recipe the CLI's ``reveal`` runs: it checks that the challenge
is for the publisher's own bundle and that bundle commits to this fingerprint set under this
identity, refuses a challenge whose every pair was revealed before (nothing fresh could be scored),
marks the already-revealed pairs in the reveal, and records the revealed indices in the ledger
*before* it returns the reveal: a crash after that loses a reveal file, never a ledger entry.

It never burns a pair for a reveal no verifier would accept: without the bundle at hand, the
challenged bundle must be one the ledger knows (``commit`` registers each bundle it signs) and its
publisher key must be this identity's; otherwise it refuses before anything is burned.
"""

from __future__ import annotations

import os
import time as _time
from dataclasses import dataclass
from pathlib import Path

from ..protocol.challenge import Challenge, SignedReveal, create_reveal, derive_indices
from ..protocol.envelope import key_id
from ..protocol.errors import CommitmentError, ConfigError, InputError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.records import Bundle
from ..protocol.times import TimeLike, to_unix
from .identity import Identity
from .ledger import Ledger, LedgerCommitment

__all__ = ["RevealResult", "answer_challenge", "check_bundle"]


@dataclass(frozen=True)
class RevealResult:
    """A signed reveal and what it cost: the indices it burned, and what remains unrevealed."""

    reveal: SignedReveal
    revealed: tuple[int, ...]
    previously_revealed: tuple[int, ...]
    ledger: Path
    burned_total: int
    unrevealed: int

    @property
    def running_low(self) -> bool:
        """Fewer than a quarter of the fingerprints remain unrevealed."""
        return self.unrevealed < (self.unrevealed + self.burned_total) // 4


def check_bundle(bundle: Bundle, fingerprints: FingerprintSet, identity: Identity) -> None:
    """Raise :class:`CommitmentError` unless ``bundle`` commits to ``fingerprints`` under
    ``identity`` (its signature is checked too)."""
    commitment = bundle.commitment()
    if commitment.root != fingerprints.root() or commitment.count != fingerprints.count:
        raise CommitmentError("the bundle commits to another fingerprint set")
    if commitment.publisher_key != identity.public_key:
        raise CommitmentError("the bundle was signed by another identity")


def answer_challenge(
    challenge: Challenge,
    *,
    fingerprints: FingerprintSet,
    identity: Identity,
    ledger: str | os.PathLike[str],
    bundle: Bundle | None = None,
    now: TimeLike | None = None,
) -> RevealResult:
    """Reveal the challenged fingerprints, burn them in ``ledger``, and return the signed reveal.

    With ``bundle`` (the publisher's own), the challenge must name it and it must commit to
    ``fingerprints`` under ``identity``; the bundle is then registered in the ledger. Without it,
    the ledger must know the challenged bundle (:func:`~modelprint.commit.publish.publish` with
    ``ledger=`` registers it) as signed by ``identity``. ``now`` is the ledger's clock (default:
    the system's). Raises :class:`CommitmentError` for a challenge or bundle that is not the
    publisher's, :class:`InputError` when the challenged bundle is unknown and not given, or when
    every challenged pair was revealed before; nothing is burned then.
    """
    if bundle is not None:
        if bundle.content_id() != challenge.bundle:
            raise CommitmentError("the challenge is for another bundle")
        check_bundle(bundle, fingerprints, identity)
    if challenge.count > fingerprints.count:
        raise ConfigError("the challenge asks for more fingerprints than the set holds")
    root = fingerprints.root()
    book = Ledger.load(ledger, root)
    if bundle is None:
        _check_known_bundle(book, Path(ledger), challenge.bundle, identity)
    indices = set(derive_indices(challenge.nonce, root, challenge.count, fingerprints.count))
    already = indices & book.burned_before(challenge.digest())
    if already and len(already) == len(indices):
        raise InputError(
            "every challenged fingerprint was revealed before; nothing fresh could be scored "
            "(ask the verifier for a new challenge)"
        )
    signed = SignedReveal.sign(
        create_reveal(fingerprints, challenge, burned=already), identity.private_key
    )
    when = int(_time.time()) if now is None else to_unix(now, what="now")
    mine = LedgerCommitment(challenge.bundle, identity.public_key) if bundle is not None else None
    updated = Ledger.record(
        ledger, root, indices, challenge=challenge.digest(), time=when, commitment=mine
    )
    burned = len(updated.burned())
    return RevealResult(
        reveal=signed,
        revealed=tuple(sorted(indices)),
        previously_revealed=tuple(sorted(already)),
        ledger=Path(ledger),
        burned_total=burned,
        unrevealed=fingerprints.count - burned,
    )


def _check_known_bundle(book: Ledger, path: Path, bundle_id: bytes, identity: Identity) -> None:
    """Without the bundle: refuse unless the ledger knows it as signed by ``identity``."""
    publisher = book.publisher_of(bundle_id)
    if publisher is None:
        raise InputError(
            f"{path} does not list bundle {bundle_id.hex()[:16]} (the challenged one) as "
            "committing to these fingerprints; give that bundle (reveal --bundle M.bundle) so the "
            "identity can be checked; nothing was revealed or burned"
        )
    if publisher != identity.public_key:
        raise CommitmentError(
            f"{path}: bundle {bundle_id.hex()[:16]} was signed by key "
            f"{key_id(publisher).hex()[:16]}, not by this identity ({identity.key_id.hex()[:16]}); "
            "no verifier would accept the reveal, so nothing was revealed or burned"
        )
