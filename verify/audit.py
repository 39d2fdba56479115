"""The auditor's recipe: challenge a suspect with a publisher's reveal and get a typed verdict.

:func:`audit` takes the publisher's bundle, the auditor's challenge and the publisher's reveal (as
objects or file paths), a suspect (a :class:`~modelprint.verify.responders.Responder`, or where to
find one: an OpenAI-compatible ``api`` URL with its ``model`` name, or a ``local`` model) and the
verifier's :class:`~modelprint.protocol.trust.TrustPolicy`, and returns the
:class:`~modelprint.verify.session.Outcome` of the challenge. :func:`audit_async` does the same
inside a running event loop.
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from ..protocol.challenge import Challenge, SignedReveal
from ..protocol.errors import ConfigError
from ..protocol.records import Bundle
from ..protocol.scoring import DEFAULT_THRESHOLD
from ..protocol.times import TimeLike, to_unix
from ..protocol.trust import TrustPolicy
from ..runtime.documents import load_bundle, load_challenge, load_reveal
from .responders import DEFAULT_MAX_TOKENS, Progress, Responder
from .session import Outcome, run_challenge, run_challenge_async

__all__ = ["audit", "audit_async", "known_burned", "new_challenge", "responder_for"]

PathLike = str | os.PathLike[str]


def responder_for(
    *,
    api: str | None = None,
    model: str | None = None,
    local: PathLike | None = None,
    transcript: PathLike | None = None,
    concurrency: int = 8,
    timeout: float = 60.0,
    retries: int = 3,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    batch_size: int = 8,
    temperature: float = 0.0,
) -> Responder:
    """The suspect to query: exactly one of ``api`` (with ``model``), ``local`` or ``transcript``."""
    from .responders import LocalResponder, OpenAIResponder, TranscriptResponder

    given = [x is not None for x in (api, local, transcript)]
    if sum(given) != 1:
        raise ConfigError("name exactly one suspect: an API URL, a local model or a transcript")
    if api is not None:
        if not model:
            raise ConfigError("an API suspect needs the model name to request (--model NAME)")
        return OpenAIResponder(
            api, model, concurrency=concurrency, timeout=timeout, retries=retries,
            max_tokens=max_tokens, temperature=temperature,
        )  # fmt: skip
    if local is not None:
        return LocalResponder(
            local, batch_size=batch_size, max_tokens=max_tokens, temperature=temperature
        )
    assert transcript is not None
    return TranscriptResponder(transcript)


def known_burned(prior_reveals: Iterable[SignedReveal | PathLike], bundle_id: bytes) -> set[int]:
    """Indices already revealed for ``bundle_id`` by earlier reveals (never scored again)."""
    burned: set[int] = set()
    for item in prior_reveals:
        signed = item if isinstance(item, SignedReveal) else load_reveal(item)
        revealed = signed.unverified()
        if revealed.bundle == bundle_id:
            burned.update(p.index for p in revealed.pairs)
    return burned


def _inputs(
    bundle: Bundle | PathLike, challenge: Challenge | PathLike, reveal: SignedReveal | PathLike
) -> tuple[Bundle, Challenge, SignedReveal]:
    return (
        bundle if isinstance(bundle, Bundle) else load_bundle(bundle),
        challenge if isinstance(challenge, Challenge) else load_challenge(challenge),
        reveal if isinstance(reveal, SignedReveal) else load_reveal(reveal),
    )


def _suspect(suspect: Responder | None, where: dict[str, Any]) -> Responder:
    if suspect is not None:
        if any(v is not None for v in where.values()):
            raise ConfigError("give a suspect responder or where to find one, not both")
        return suspect
    return responder_for(**{k: v for k, v in where.items() if v is not None})


def audit(
    bundle: Bundle | PathLike,
    challenge: Challenge | PathLike,
    reveal: SignedReveal | PathLike,
    *,
    policy: TrustPolicy,
    suspect: Responder | None = None,
    api: str | None = None,
    model: str | None = None,
    local: PathLike | None = None,
    threshold: Fraction = DEFAULT_THRESHOLD,
    prior_reveals: Iterable[SignedReveal | PathLike] = (),
    system_prompts: Sequence[str] = (),
    samples: int = 1,
    progress: Progress | None = None,
) -> Outcome:
    """Challenge the suspect and return the outcome (verdict, p-value, time evidence, queries)."""
    b, c, r = _inputs(bundle, challenge, reveal)
    responder = _suspect(suspect, {"api": api, "model": model, "local": local})
    return run_challenge(
        b, c, r, responder, policy=policy, threshold=threshold,
        known_burned=known_burned(prior_reveals, b.content_id()), system_prompts=system_prompts,
        samples=samples, progress=progress,
    )  # fmt: skip


async def audit_async(
    bundle: Bundle | PathLike,
    challenge: Challenge | PathLike,
    reveal: SignedReveal | PathLike,
    *,
    policy: TrustPolicy,
    suspect: Responder | None = None,
    api: str | None = None,
    model: str | None = None,
    local: PathLike | None = None,
    threshold: Fraction = DEFAULT_THRESHOLD,
    prior_reveals: Iterable[SignedReveal | PathLike] = (),
    system_prompts: Sequence[str] = (),
    samples: int = 1,
    progress: Progress | None = None,
) -> Outcome:
    """:func:`audit` for a caller inside a running event loop (the API suspect is awaited)."""
    b, c, r = _inputs(bundle, challenge, reveal)
    responder = _suspect(suspect, {"api": api, "model": model, "local": local})
    return await run_challenge_async(
        b, c, r, responder, policy=policy, threshold=threshold,
        known_burned=known_burned(prior_reveals, b.content_id()), system_prompts=system_prompts,
        samples=samples, progress=progress,
    )  # fmt: skip


_MAX_DRAWS = 100_000


def new_challenge(
    bundle: Bundle | PathLike,
    *,
    count: int,
    first_seen: TimeLike,
    created: TimeLike | None = None,
    avoid: Iterable[int] = (),
) -> Challenge:
    """A fresh challenge of ``count`` fingerprints of ``bundle`` for a suspect first seen at
    ``first_seen`` (ISO 8601 string, datetime or unix seconds).

    ``avoid`` lists indices already revealed (to earlier challenges, public in their reveals): the
    nonce is drawn again until no challenged index is among them, so every key of the challenge is
    scored. The nonce stays the verifier's random choice; the publisher still cannot pick it.
    """
    b = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
    commitment = b.commitment()
    committed = commitment.count
    if not 1 <= count <= committed:
        raise ConfigError(f"count must be in 1..{committed} (the committed fingerprints)")
    burned = {i for i in avoid if 0 <= i < committed}
    fresh = committed - len(burned)
    if count > fresh:
        raise ConfigError(f"count {count} is more than the {fresh} fingerprints never revealed")
    made = int(_time.time()) if created is None else to_unix(created, what="created")
    seen = to_unix(first_seen, what="first seen")
    for _ in range(_MAX_DRAWS):
        challenge = Challenge.create(
            bundle=b.content_id(), count=count, first_seen=seen, created=made
        )
        if not burned or burned.isdisjoint(challenge.indices(commitment.root, committed)):
            return challenge
    raise ConfigError(
        f"no challenge of {count} avoids the {len(burned)} revealed fingerprints in "
        f"{_MAX_DRAWS:,} draws; ask for fewer"
    )
