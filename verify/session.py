"""Driving a challenge against a suspect: the I/O side of :class:`ChallengeSession`.

:func:`run_challenge` feeds the sans-IO session the challenge and the reveal, sends the queries it
yields to a :class:`~modelprint.verify.responders.Responder`, records the answers, assesses the
commitment's time evidence under the verifier's :class:`~modelprint.protocol.trust.TrustPolicy`,
and concludes with a verdict. :func:`run_challenge_async` is the same for callers that already run
an event loop (it awaits an async responder instead of blocking).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
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
from ..protocol.trust import TimeReport, TrustPolicy, assess
from .responders import Progress, Reply, Responder

__all__ = ["Outcome", "run_challenge", "run_challenge_async"]


@dataclass(frozen=True)
class Outcome:
    """Everything a report shows about one challenge."""

    verdict: Verdict
    answers: tuple[Answer, ...]
    replies: dict[int, Reply]
    challenge: Challenge
    bundle_id: bytes
    commitment: Commitment
    time: TimeReport
    """The commitment's time evidence under the verifier's pins."""
    suspect: str
    reasons: tuple[str, ...] = field(default=())
    system_prompts: tuple[str, ...] = ()
    samples: int = 1
    evidence: str = "outputs"
    """What the verdict rests on: ``outputs`` (the answers) or ``likelihood`` (log-prob ranks)."""


def run_challenge(
    bundle: Bundle,
    challenge: Challenge,
    reveal: SignedReveal,
    responder: Responder,
    *,
    policy: TrustPolicy,
    threshold: Fraction = DEFAULT_THRESHOLD,
    p0: Fraction | None = None,
    known_burned: Iterable[int] = (),
    system_prompts: Sequence[str] = (),
    samples: int = 1,
    progress: Progress | None = None,
    on_state: Callable[[SessionState], None] | None = None,
) -> Outcome:
    """Run one challenge to its verdict.

    Raises :class:`SignatureError` for a bundle whose own signature fails, and
    :class:`TransportError` when every query failed (nothing to score); a reveal that does not
    verify, or a challenge for another bundle, yields a "rejected" outcome instead. The verdict
    needs a trusted commitment time under ``policy`` (:func:`modelprint.protocol.trust.assess`).
    """
    run = _Run(
        bundle, challenge, reveal, threshold, p0, known_burned, system_prompts, samples, on_state
    )
    if run.session.state is SessionState.QUERYING:
        run.record(responder.answer(run.session.queries(), progress))
    return run.conclude(policy, responder.describe())


async def run_challenge_async(
    bundle: Bundle,
    challenge: Challenge,
    reveal: SignedReveal,
    responder: Responder,
    *,
    policy: TrustPolicy,
    threshold: Fraction = DEFAULT_THRESHOLD,
    p0: Fraction | None = None,
    known_burned: Iterable[int] = (),
    system_prompts: Sequence[str] = (),
    samples: int = 1,
    progress: Progress | None = None,
    on_state: Callable[[SessionState], None] | None = None,
) -> Outcome:
    """:func:`run_challenge` for a caller inside a running event loop.

    A responder with ``answer_async`` (the API responder) is awaited; any other (a local model)
    runs in a worker thread, so the loop is never blocked.
    """
    run = _Run(
        bundle, challenge, reveal, threshold, p0, known_burned, system_prompts, samples, on_state
    )
    if run.session.state is SessionState.QUERYING:
        queries = run.session.queries()
        answer_async = getattr(responder, "answer_async", None)
        if answer_async is not None:
            replies = await answer_async(queries, progress)
        else:
            replies = await asyncio.to_thread(responder.answer, queries, progress)
        run.record(replies)
    return run.conclude(policy, responder.describe())


class _Run:
    """One challenge between its sans-IO session and whatever answers the queries."""

    def __init__(
        self,
        bundle: Bundle,
        challenge: Challenge,
        reveal: SignedReveal,
        threshold: Fraction,
        p0: Fraction | None,
        known_burned: Iterable[int],
        system_prompts: Sequence[str],
        samples: int,
        on_state: Callable[[SessionState], None] | None,
    ) -> None:
        self.bundle, self.challenge = bundle, challenge
        self.commitment = bundle.commitment()
        self.bundle_id = bundle.content_id()
        session = ChallengeSession(
            self.commitment,
            self.bundle_id,
            threshold=threshold,
            p0=p0,
            known_burned=known_burned,
            system_prompts=system_prompts,
            samples=samples,
        )
        if challenge.bundle != self.bundle_id:
            session.send(Abort("the challenge was made for another bundle"))
        elif challenge.count > self.commitment.count:
            session.send(Abort("the challenge asks for more fingerprints than were committed"))
        else:
            session.send(IssueChallenge(challenge))
            session.send(ReceiveReveal(reveal))
        if on_state:
            on_state(session.state)
        self.session = session
        self.replies: dict[int, Reply] = {}

    def record(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            if reply.index in self.replies:
                continue  # a responder that answers twice: keep the first, never count twice
            self.replies[reply.index] = reply
            more = reply.more[: max(0, self.session.samples - 1)]
            self.session.send(RecordAnswer(reply.index, reply.output, reply.error, more))
        if self.session.queries() and all(r.output is None for r in self.replies.values()):
            first = next((r.error for r in self.replies.values() if r.error), "no reply")
            raise TransportError(f"every query to the suspect failed (first error: {first})")

    def conclude(self, policy: TrustPolicy, suspect: str) -> Outcome:
        time = assess(self.bundle, policy)
        problems: tuple[str, ...] = ()
        if self.session.state is SessionState.QUERYING:
            self.session.send(Conclude(time.time))
            problems = time.problems
        verdict = self.session.verdict()
        return Outcome(
            verdict=verdict,
            answers=self.session.answers(),
            replies=self.replies,
            challenge=self.challenge,
            bundle_id=self.bundle_id,
            commitment=self.commitment,
            time=time,
            suspect=suspect,
            reasons=(*verdict.reasons, *problems),
            system_prompts=self.session.system_prompts,
            samples=self.session.samples,
        )
