"""The likelihood rank test against a suspect (the I/O side of :mod:`modelprint.protocol.likelihood`).

For every scored revealed pair the suspect scores the scheme's reply with the committed response
and with ``decoys`` responses drawn the same way; the key matches when the committed reply is the
most likely. Needs a suspect that gives log-probabilities: a local model, or an API with vLLM's
``prompt_logprobs`` (vLLM, ``modelprint serve``). The reveal is verified, time assessed and the
verdict formed exactly as for a challenge by outputs (:func:`modelprint.verify.session.run_challenge`);
only the per-key evidence and its null probability differ, and the verdict says which it used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Protocol

from ..protocol.challenge import (
    Answer,
    Challenge,
    ChallengeSession,
    IssueChallenge,
    Query,
    ReceiveReveal,
    SessionState,
    SignedReveal,
)
from ..protocol.errors import ConfigError, ModelprintError, TransportError
from ..protocol.likelihood import DECOYS, decoys, null_probability, ranks_first
from ..protocol.records import Bundle
from ..protocol.scoring import DEFAULT_THRESHOLD, decide
from ..protocol.trust import TrustPolicy, assess
from .responders import Reply
from .session import Outcome

__all__ = ["Scorer", "likelihood_challenge"]


class Scorer(Protocol):
    """A suspect that gives the log-probability of candidate replies."""

    def describe(self) -> str: ...
    def score(self, query: Query, replies: Sequence[str]) -> list[float]: ...


def likelihood_challenge(
    bundle: Bundle,
    challenge: Challenge,
    reveal: SignedReveal,
    scorer: Scorer,
    *,
    policy: TrustPolicy,
    decoy_count: int = DECOYS,
    threshold: Fraction = DEFAULT_THRESHOLD,
    known_burned: Iterable[int] = (),
    system_prompts: Sequence[str] = (),
) -> Outcome:
    """Challenge ``scorer`` by likelihood ranks; a reveal that does not verify is "rejected"."""
    if not hasattr(scorer, "score"):
        raise ConfigError(
            "this suspect gives no log-probabilities (use --local or a vLLM-style API)"
        )
    commitment = bundle.commitment()
    bundle_id = bundle.content_id()
    session = ChallengeSession(
        commitment, bundle_id, threshold=threshold, known_burned=known_burned,
        system_prompts=system_prompts,
    )  # fmt: skip
    if challenge.bundle != bundle_id:
        raise ConfigError("the challenge was made for another bundle")
    session.send(IssueChallenge(challenge))
    session.send(ReceiveReveal(reveal))
    time = assess(bundle, policy)
    base = dict(
        challenge=challenge, bundle_id=bundle_id, commitment=commitment, time=time,
        suspect=scorer.describe(), system_prompts=session.system_prompts, evidence="likelihood",
    )  # fmt: skip
    if session.state is not SessionState.QUERYING:
        verdict = session.verdict()
        return Outcome(verdict=verdict, answers=session.answers(), replies={},
                       reasons=verdict.reasons, **base)  # type: ignore[arg-type]  # fmt: skip
    scheme = commitment.scheme
    queries = session.queries()
    answers: list[Answer] = []
    replies: dict[int, Reply] = {}
    matched = failed = scored = 0
    target = session.scheme.target
    for query in queries:
        error = "the suspect gave no scores"
        try:
            candidates = decoys(scheme, query.key, query.expected, challenge.nonce, decoy_count)
            scores = scorer.score(query, [target(r) for r in (query.expected, *candidates)])
        except TransportError as exc:
            scores, error = [], str(exc)
        except ModelprintError:
            raise
        if query.scored:
            scored += 1
        if not scores:
            failed += query.scored
            answers.append(Answer(query, None, error, False))
            replies[query.index] = Reply(query.index, None, error)
            continue
        first = ranks_first(scores[0], scores[1:])
        rank = 1 + sum(1 for s in scores[1:] if s >= scores[0])
        text = f"rank {rank} of {len(scores)} (log p {scores[0]:.2f}; best decoy {max(scores[1:]):.2f})"
        matched += first and query.scored
        answers.append(Answer(query, text, None, first, (text,)))
        replies[query.index] = Reply(query.index, text)
    p0 = null_probability(decoy_count)
    verdict = decide(
        matched=matched, queried=scored, failed=failed, p0=p0, threshold=threshold,
        trusted_time=time.time, first_seen=challenge.first_seen,
        excluded=len(queries) - scored,
    )  # fmt: skip
    note = (
        f"evidence: likelihood ranks ({matched} of {scored} committed replies more likely than "
        f"every one of {decoy_count} decoys drawn like them; per-key null exactly 1/{decoy_count + 1})"
    )
    verdict = dataclasses.replace(verdict, reasons=(*verdict.reasons, note))
    return Outcome(verdict=verdict, answers=tuple(answers), replies=replies,
                   reasons=(*verdict.reasons, *time.problems), **base)  # type: ignore[arg-type]  # fmt: skip
