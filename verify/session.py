"""Driving a challenge against a suspect: the I/O side of :class:`ChallengeSession`.

:func:`run_challenge` feeds the sans-IO session the challenge and the reveal, sends the queries it
yields to a :class:`~modelprint.verify.responders.Responder`, records the answers, asks a
:class:`TimeSource` for the commitment's trusted time, and concludes with a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from ..protocol.challenge import (
    Abort,
    Answer,
    Challenge,
    ChallengeSession,
    Conclude,
    IssueChallenge,
    ReceiveReveal,
    RecordAnswer,
    SessionState,
    SignedReveal,
)
from ..protocol.errors import TransportError
from ..protocol.records import Bundle, Commitment
from ..protocol.scoring import DEFAULT_THRESHOLD, Verdict
from .responders import Progress, Reply, Responder
from .timesource import TimeSource, TrustedTime

__all__ = ["Outcome", "run_challenge"]


@dataclass(frozen=True)
class Outcome:
    """Everything a report shows about one challenge."""

    verdict: Verdict
    answers: tuple[Answer, ...]
    replies: dict[int, Reply]
    challenge: Challenge
    bundle_id: bytes
    commitment: Commitment
    time: TrustedTime
    suspect: str
    reasons: tuple[str, ...] = field(default=())


def run_challenge(
    bundle: Bundle,
    challenge: Challenge,
    reveal: SignedReveal,
    responder: Responder,
    *,
    time_source: TimeSource,
    threshold: Fraction = DEFAULT_THRESHOLD,
    p0: Fraction | None = None,
    known_burned: Iterable[int] = (),
    progress: Progress | None = None,
    on_state: Callable[[SessionState], None] | None = None,
) -> Outcome:
    """Run one challenge to its verdict.

    Raises :class:`SignatureError` for a bundle whose own signature fails, and
    :class:`TransportError` when every query failed (nothing to score); a reveal that does not
    verify, or a challenge for another bundle, yields a "rejected" outcome instead.
    """
    commitment = bundle.commitment()
    bundle_id = bundle.content_id()
    session = ChallengeSession(
        commitment, bundle_id, threshold=threshold, p0=p0, known_burned=known_burned
    )
    if challenge.bundle != bundle_id:
        session.send(Abort("the challenge was made for another bundle"))
    elif challenge.count > commitment.count:
        session.send(Abort("the challenge asks for more fingerprints than were committed"))
    else:
        session.send(IssueChallenge(challenge))
        session.send(ReceiveReveal(reveal))
    if on_state:
        on_state(session.state)
    replies: dict[int, Reply] = {}
    time = TrustedTime(None)
    if session.state is SessionState.QUERYING:
        queries = session.queries()
        for reply in responder.answer(queries, progress):
            if reply.index in replies:
                continue  # a responder that answers twice: keep the first, never count twice
            replies[reply.index] = reply
            session.send(RecordAnswer(reply.index, reply.output, reply.error))
        if queries and all(r.output is None for r in replies.values()):
            first = next((r.error for r in replies.values() if r.error), "no reply")
            raise TransportError(f"every query to the suspect failed (first error: {first})")
        time = time_source(bundle, commitment)
        session.send(Conclude(time.time))
    verdict = session.verdict()
    reasons = (*verdict.reasons, *time.problems)
    return Outcome(
        verdict=verdict,
        answers=session.answers(),
        replies=replies,
        challenge=challenge,
        bundle_id=bundle_id,
        commitment=commitment,
        time=time,
        suspect=responder.describe(),
        reasons=reasons,
    )
