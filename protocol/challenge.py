"""The challenge–response protocol: challenges, index derivation, reveals, and the verifier's session.

Sans-IO in the manner of h11: :class:`ChallengeSession` is a state machine that consumes events
(:class:`IssueChallenge`, :class:`ReceiveReveal`, :class:`RecordAnswer`, :class:`Conclude`,
:class:`Abort`) and never talks to a network or a model; ``modelprint.verify`` drives it against a
responder. The legal transitions are the table :data:`TRANSITIONS`; anything else raises
:class:`StateError` and leaves the session as it was.

    IDLE --IssueChallenge--> AWAITING_REVEAL --ReceiveReveal--> QUERYING --Conclude--> DONE
                                   |      (reveal fails to verify)  |
                                   +------------> REJECTED <--------+-- Abort (any non-final state)

Bytes (normative text in specs/challenge.md):

- challenge: canonical ``{kind: "modelprint/challenge", version: 1, nonce: bin32, count,
  first_seen, bundle: bin32, created}``; its digest is ``tagged_hash(CONTENT_ID, bytes)``.
- indices: ``count`` distinct leaf indices drawn from SHA-256 blocks ``tagged_hash(
  CHALLENGE_INDICES, nonce || root || u32be(size) || u32be(count) || u32be(j))``, j = 0, 1, ...;
  each block gives four big-endian u64 values; a value ``v >= 2**64 - 2**64 % size`` is skipped
  (rejection sampling), otherwise ``v % size`` is taken unless already drawn.
- reveal: canonical ``{kind: "modelprint/reveal", version: 1, challenge: bin32, bundle: bin32,
  pairs: [{index, key, response, salt}] (ascending index), proof: {size, hashes}, burned: [int]}``
  signed in a DSSE envelope of type ``application/vnd.modelprint.reveal.v1+msgpack`` by the
  commitment's publisher key; the file is ``{kind: "modelprint/signed-reveal", version: 1,
  envelope}``.

Reference-scored schemes (``double-i/v1``, specs/challenge.md §9): each revealed pair is queried
twice, as its key (role ``"trigger"``, ``index`` = the leaf index) and as its key without triggers
(role ``"reference"``, ``index`` = :func:`reference_index` of the leaf, a negative number, so the
two never share an id in replies or transcripts).
"""

from __future__ import annotations

import dataclasses
import secrets as _secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import canonical
from .envelope import Envelope, PayloadType
from .errors import (
    CommitmentError,
    ConfigError,
    DecodeError,
    ModelprintError,
    ProofError,
    StateError,
)
from .fields import document, field_bytes, field_int, field_list
from .fingerprints import FingerprintPair, FingerprintSet
from .hashing import Tag, tagged_hash
from .merkle import MultiProof, verify_multiproof
from .records import Commitment, content_id
from .scheme_doublei import DecisionTable, DoubleIScheme
from .schemes import Scheme, get_scheme
from .scoring import (
    DEFAULT_THRESHOLD,
    REFERENCE_SCORED,
    Verdict,
    decide,
    decide_by_reference,
    null_probability,
    rejected,
)
from .times import MAX_TIME

__all__ = [
    "MAX_CHALLENGE",
    "TRANSITIONS",
    "Abort",
    "Answer",
    "Challenge",
    "ChallengeSession",
    "Conclude",
    "IssueChallenge",
    "Query",
    "QueryRole",
    "ReceiveReveal",
    "RecordAnswer",
    "Reveal",
    "SessionState",
    "SignedReveal",
    "create_reveal",
    "derive_indices",
    "reference_index",
    "verify_reveal",
]

NONCE_SIZE = 32
MAX_CHALLENGE = 4096
"""The most fingerprints one challenge may ask for."""
MAX_TEXT = 4096
"""The longest key or response text a reveal may carry (characters)."""
MAX_SAMPLES = 64
"""The most answers a verifier asks for per query."""


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "big")


def derive_indices(nonce: bytes, root: bytes, count: int, size: int) -> tuple[int, ...]:
    """The ``count`` distinct leaf indices a challenge asks for, in draw order.

    Derived from the verifier's nonce and the committed root, so neither side can pick them.
    """
    if len(nonce) != NONCE_SIZE or len(root) != 32:
        raise ConfigError("nonce and root must be 32 bytes each")
    if not 1 <= size <= 1 << 32 or not 1 <= count <= min(size, MAX_CHALLENGE):
        raise ConfigError(f"cannot draw {count} distinct indices out of {size}")
    seed = nonce + root + _u32(size) + _u32(count)
    limit = (1 << 64) - (1 << 64) % size
    picked: list[int] = []
    seen: set[int] = set()
    block_no = 0
    while len(picked) < count:
        block = tagged_hash(Tag.CHALLENGE_INDICES, seed + _u32(block_no))
        block_no += 1
        for offset in range(0, 32, 8):
            value = int.from_bytes(block[offset : offset + 8], "big")
            if value >= limit:
                continue
            index = value % size
            if index in seen:
                continue
            seen.add(index)
            picked.append(index)
            if len(picked) == count:
                break
    return tuple(picked)


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Challenge:
    """The verifier's challenge: a fresh nonce, how many fingerprints, and the suspect's age.

    ``first_seen`` is when the suspect model was first observed (seconds since the epoch); a match
    needs trusted evidence that the commitment is older. ``bundle`` is the commitment's content id.
    """

    nonce: bytes = field(repr=False)
    count: int
    first_seen: int
    bundle: bytes
    created: int

    KIND = "modelprint/challenge"

    def __post_init__(self) -> None:
        if len(self.nonce) != NONCE_SIZE or len(self.bundle) != 32:
            raise ConfigError("a challenge needs a 32-byte nonce and a 32-byte bundle id")
        if not 1 <= self.count <= MAX_CHALLENGE:
            raise ConfigError(f"a challenge asks for 1..{MAX_CHALLENGE} fingerprints")
        if not 0 <= self.first_seen <= MAX_TIME or not 0 <= self.created <= MAX_TIME:
            raise ConfigError("challenge times out of range")

    @classmethod
    def create(
        cls,
        *,
        bundle: bytes,
        count: int,
        first_seen: int,
        created: int,
        nonce: bytes | None = None,
    ) -> Challenge:
        """A new challenge with a random nonce (pass ``nonce`` only to reproduce vectors)."""
        return cls(
            nonce=nonce if nonce is not None else _secrets.token_bytes(NONCE_SIZE),
            count=count,
            first_seen=first_seen,
            bundle=bundle,
            created=created,
        )

    def indices(self, root: bytes, size: int) -> tuple[int, ...]:
        return derive_indices(self.nonce, root, self.count, size)

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": self.KIND,
                "version": 1,
                "nonce": self.nonce,
                "count": self.count,
                "first_seen": self.first_seen,
                "bundle": self.bundle,
                "created": self.created,
            }
        )

    def digest(self) -> bytes:
        return content_id(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Challenge:
        doc = document(
            canonical.decode(data),
            cls.KIND,
            {"nonce", "count", "first_seen", "bundle", "created"},
        )
        try:
            return cls(
                nonce=field_bytes(doc, "nonce", NONCE_SIZE),
                count=field_int(doc, "count", 1, MAX_CHALLENGE),
                first_seen=field_int(doc, "first_seen", 0, MAX_TIME),
                bundle=field_bytes(doc, "bundle", 32),
                created=field_int(doc, "created", 0, MAX_TIME),
            )
        except ConfigError as exc:
            raise DecodeError(str(exc)) from exc


def _pair_value(pair: FingerprintPair) -> dict[str, Any]:
    return {"index": pair.index, "key": pair.key, "response": pair.response, "salt": pair.salt}


def _pair_from(value: object) -> FingerprintPair:
    if not isinstance(value, dict) or set(value) != {"index", "key", "response", "salt"}:
        raise DecodeError("malformed revealed pair")
    key, response = value["key"], value["response"]
    if not isinstance(key, str) or not 0 < len(key) <= MAX_TEXT:
        raise DecodeError("revealed key must be a string of 1..4096 characters")
    if not isinstance(response, str) or not 0 < len(response) <= MAX_TEXT:
        raise DecodeError("revealed response must be a string of 1..4096 characters")
    return FingerprintPair(
        index=field_int(value, "index", 0, (1 << 32) - 1),
        key=key,
        response=response,
        salt=field_bytes(value, "salt", 16),
    )


@dataclass(frozen=True, slots=True)
class Reveal:
    """The publisher's answer to a challenge: the asked pairs with salts and one multiproof.

    ``burned`` lists those indices the publisher had already revealed to an earlier challenge
    (from its ledger); a verifier queries them but never scores them.
    """

    challenge: bytes
    bundle: bytes
    pairs: tuple[FingerprintPair, ...]
    proof: MultiProof
    burned: tuple[int, ...] = ()

    KIND = "modelprint/reveal"

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "kind": self.KIND,
                "version": 1,
                "challenge": self.challenge,
                "bundle": self.bundle,
                "pairs": [_pair_value(p) for p in self.pairs],
                "proof": {"size": self.proof.size, "hashes": list(self.proof.hashes)},
                "burned": sorted(self.burned),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Reveal:
        doc = document(
            canonical.decode(data),
            cls.KIND,
            {"challenge", "bundle", "pairs", "proof", "burned"},
        )
        pairs = field_list(doc, "pairs", MAX_CHALLENGE, min_len=1)
        proof, burned = doc["proof"], doc["burned"]
        if not isinstance(proof, dict) or set(proof) != {"size", "hashes"}:
            raise DecodeError("malformed multiproof")
        hashes = proof["hashes"]
        if not isinstance(hashes, list) or len(hashes) > 64 * MAX_CHALLENGE:
            raise DecodeError("malformed multiproof hashes")
        if not all(isinstance(h, bytes) and len(h) == 32 for h in hashes):
            raise DecodeError("multiproof hashes must be 32 bytes each")
        if not isinstance(burned, list) or len(burned) > len(pairs):
            raise DecodeError("malformed burned list")
        if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in burned):
            raise DecodeError("burned indices must be non-negative integers")
        return cls(
            challenge=field_bytes(doc, "challenge", 32),
            bundle=field_bytes(doc, "bundle", 32),
            pairs=tuple(_pair_from(p) for p in pairs),
            proof=MultiProof(size=field_int(proof, "size", 1, 1 << 32), hashes=tuple(hashes)),
            burned=tuple(burned),
        )


@dataclass(frozen=True, slots=True)
class SignedReveal:
    """A reveal in its signed envelope: the ``R.reveal`` file."""

    envelope: Envelope

    KIND = "modelprint/signed-reveal"

    @classmethod
    def sign(cls, reveal: Reveal, key: Ed25519PrivateKey) -> SignedReveal:
        return cls(Envelope.sign(PayloadType.REVEAL, reveal.to_bytes(), key))

    def unverified(self) -> Reveal:
        """The reveal, decoded but NOT checked; only for display (``inspect``)."""
        if self.envelope.payload_type != PayloadType.REVEAL:
            raise DecodeError("envelope does not carry a reveal")
        return Reveal.from_bytes(self.envelope.payload)

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {"kind": self.KIND, "version": 1, "envelope": self.envelope.to_value()}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedReveal:
        doc = document(canonical.decode(data), cls.KIND, {"envelope"})
        return cls(Envelope.from_value(doc["envelope"]))


def create_reveal(
    fingerprints: FingerprintSet, challenge: Challenge, *, burned: Iterable[int] = ()
) -> Reveal:
    """The reveal of ``fingerprints`` that answers ``challenge`` (the publisher's side)."""
    tree = fingerprints.tree()
    indices = sorted(derive_indices(challenge.nonce, tree.root(), challenge.count, tree.size))
    wanted = set(indices)
    return Reveal(
        challenge=challenge.digest(),
        bundle=challenge.bundle,
        pairs=tuple(fingerprints.pair(i) for i in indices),
        proof=tree.multiproof(indices),
        burned=tuple(sorted(i for i in set(burned) if i in wanted)),
    )


def verify_reveal(
    signed: SignedReveal, challenge: Challenge, commitment: Commitment, bundle_id: bytes
) -> Reveal:
    """Check a reveal against the challenge and the commitment; return it or raise.

    Raises :class:`SignatureError` (not signed by the publisher), :class:`CommitmentError` (another
    bundle, another challenge or nonce, wrong indices) or :class:`ProofError` (a leaf or the
    multiproof that does not lead to the committed root).
    """
    if challenge.bundle != bundle_id:
        raise CommitmentError("the challenge was made for another bundle")
    signed.envelope.verify(commitment.publisher_key, payload_type=PayloadType.REVEAL)
    reveal = Reveal.from_bytes(signed.envelope.payload)
    if reveal.bundle != bundle_id:
        raise CommitmentError("the reveal is for another bundle")
    if reveal.challenge != challenge.digest():
        raise CommitmentError("the reveal answers another challenge (nonce or parameters differ)")
    expected = sorted(challenge.indices(commitment.root, commitment.count))
    if [p.index for p in reveal.pairs] != expected:
        raise CommitmentError("the reveal does not hold exactly the challenged indices")
    if not set(reveal.burned) <= set(expected):
        raise CommitmentError("the reveal marks indices it does not hold as burned")
    if reveal.proof.size != commitment.count:
        raise ProofError("the multiproof is for a tree of another size")
    verify_multiproof({p.index: p.leaf_hash() for p in reveal.pairs}, reveal.proof, commitment.root)
    return reveal


# -- the verifier's session --------------------------------------------------------------------


class SessionState(Enum):
    IDLE = "idle"
    AWAITING_REVEAL = "awaiting-reveal"
    QUERYING = "querying"
    DONE = "done"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class IssueChallenge:
    challenge: Challenge


@dataclass(frozen=True, slots=True)
class ReceiveReveal:
    reveal: SignedReveal


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    """The suspect's output for one query, or the error that prevented one.

    ``more`` holds the further answers when the query asked for several samples (``output`` is
    the first); answers that could not be had are simply missing and count against the
    fingerprint."""

    index: int
    output: str | None
    error: str | None = None
    more: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Conclude:
    """Finish querying; ``trusted_time`` is the earliest trusted commitment time, if any."""

    trusted_time: int | None


@dataclass(frozen=True, slots=True)
class Abort:
    reason: str


Event = IssueChallenge | ReceiveReveal | RecordAnswer | Conclude | Abort

_NON_FINAL = (SessionState.IDLE, SessionState.AWAITING_REVEAL, SessionState.QUERYING)

TRANSITIONS: dict[tuple[SessionState, type[Any]], tuple[SessionState, ...]] = {
    (SessionState.IDLE, IssueChallenge): (SessionState.AWAITING_REVEAL,),
    (SessionState.AWAITING_REVEAL, ReceiveReveal): (SessionState.QUERYING, SessionState.REJECTED),
    (SessionState.QUERYING, RecordAnswer): (SessionState.QUERYING,),
    (SessionState.QUERYING, Conclude): (SessionState.DONE,),
    **{(state, Abort): (SessionState.REJECTED,) for state in _NON_FINAL},
}
"""(state, event type) -> the states the event may lead to; every other pair is illegal."""


QueryRole = Literal["trigger", "reference"]


def reference_index(leaf: int) -> int:
    """The query id of a leaf's reference query: ``-1 - leaf`` (never a leaf index itself)."""
    return -1 - leaf


@dataclass(frozen=True, slots=True)
class Query:
    """One prompt to send to the suspect: ``messages`` is exactly the chat sent.

    ``index`` identifies the query in replies and transcripts: the leaf index for a trigger query
    (every query of a binomial-scored scheme), :func:`reference_index` of it for a reference query.
    ``key`` is the text asked (for a reference query, the key without its triggers).
    """

    index: int
    key: str
    expected: str
    messages: tuple[tuple[str, str], ...]
    scored: bool = True
    role: QueryRole = "trigger"
    samples: int = 1
    """How many answers to ask for (a suspect that samples answers differently each time)."""

    @property
    def leaf(self) -> int:
        """The index of the revealed pair this query belongs to."""
        return self.index if self.role == "trigger" else -1 - self.index

    def chat(self) -> list[dict[str, str]]:
        """The messages in OpenAI chat form."""
        return [{"role": role, "content": content} for role, content in self.messages]


@dataclass(frozen=True, slots=True)
class Answer:
    query: Query
    output: str | None
    error: str | None
    matched: bool
    outputs: tuple[str, ...] = ()
    """Every answer received for the query (``output`` is the first)."""


class ChallengeSession:
    """The verifier's side of one challenge against one commitment.

    ``known_burned`` are indices the verifier knows were revealed in earlier challenges of this
    bundle (from earlier reveals); with the publisher's own ``burned`` list they are queried but
    never scored, so a pair that has been public can never count as evidence twice.
    """

    def __init__(
        self,
        commitment: Commitment,
        bundle_id: bytes,
        *,
        threshold: Fraction = DEFAULT_THRESHOLD,
        p0: Fraction | None = None,
        known_burned: Iterable[int] = (),
        system_prompts: Iterable[str] = (),
        samples: int = 1,
    ) -> None:
        if not 1 <= samples <= MAX_SAMPLES:
            raise ConfigError(f"samples must be in 1..{MAX_SAMPLES}")
        self.system_prompts = tuple(system_prompts)
        if any(not 0 < len(p) <= MAX_TEXT for p in self.system_prompts):
            raise ConfigError(f"a system prompt holds 1..{MAX_TEXT} characters")
        self.samples = samples
        self.commitment = commitment
        self.bundle_id = bundle_id
        self.scheme: Scheme = get_scheme(commitment.scheme, commitment.scheme_params)
        self.threshold = threshold
        self.p0: Fraction | None
        self.doublei: DoubleIScheme | None = None
        if commitment.scheme in REFERENCE_SCORED:
            if p0 is not None:
                raise ConfigError(
                    f"{commitment.scheme} is scored by Fisher's exact test; a null probability "
                    "does not apply"
                )
            if not isinstance(self.scheme, DoubleIScheme):
                raise ConfigError(f"no reference queries for scheme {commitment.scheme!r}")
            self.doublei, self.p0 = self.scheme, None
        else:
            self.p0 = null_probability(commitment.scheme, p0)
        self.known_burned = frozenset(known_burned)
        self.state = SessionState.IDLE
        self.challenge: Challenge | None = None
        self.reveal: Reveal | None = None
        self._queries: dict[int, Query] = {}
        self._answers: dict[int, Answer] = {}
        self._verdict: Verdict | None = None
        self.reasons: list[str] = []

    # -- the one entry point ------------------------------------------------------------------

    def send(self, event: Event) -> SessionState:
        """Apply ``event``; return the new state. Illegal events raise and change nothing."""
        allowed = TRANSITIONS.get((self.state, type(event)))
        if allowed is None:
            raise StateError(f"{type(event).__name__} is not allowed in state {self.state.value}")
        if isinstance(event, IssueChallenge):
            self._issue(event.challenge)
        elif isinstance(event, ReceiveReveal):
            self._receive(event.reveal)
        elif isinstance(event, RecordAnswer):
            self._record(event)
        elif isinstance(event, Conclude):
            self._conclude(event.trusted_time)
        else:
            self._reject(event.reason)
        assert self.state in allowed
        return self.state

    # -- transitions (each validates before it mutates) ----------------------------------------

    def _issue(self, challenge: Challenge) -> None:
        if challenge.bundle != self.bundle_id:
            raise StateError("the challenge names another bundle than this session's")
        if challenge.count > self.commitment.count:
            raise StateError("the challenge asks for more fingerprints than were committed")
        self.challenge = challenge
        self.state = SessionState.AWAITING_REVEAL

    def _receive(self, signed: SignedReveal) -> None:
        assert self.challenge is not None
        try:
            reveal = verify_reveal(signed, self.challenge, self.commitment, self.bundle_id)
        except ModelprintError as exc:
            self._reject(f"reveal rejected: {exc}")
            return
        try:
            for pair in reveal.pairs:
                self.scheme.check_pair(pair.key, pair.response)
        except ConfigError as exc:
            self._reject(f"reveal rejected: pair {pair.index}: {exc}")
            return
        if len({p.key for p in reveal.pairs}) != len(reveal.pairs):
            # one key twice would count one learned pair twice, and the binomial's draws must
            # be separate keys
            self._reject("reveal rejected: two pairs share a key")
            return
        burned = set(reveal.burned) | self.known_burned
        queries = [
            Query(
                index=p.index,
                key=p.key,
                expected=p.response,
                messages=self._messages(self.scheme.prompt(p.key)),
                scored=p.index not in burned,
                samples=self.samples,
            )
            for p in reveal.pairs
        ]
        if self.doublei is not None:
            try:
                queries += [self._reference(self.doublei, q) for q in queries]
            except ConfigError as exc:
                self._reject(f"reveal rejected: {exc}")
                return
        self._queries = {q.index: q for q in queries}
        self.reveal = reveal
        self.state = SessionState.QUERYING

    def _messages(self, prompt: str) -> tuple[tuple[str, str], ...]:
        return (*(("system", text) for text in self.system_prompts), ("user", prompt))

    def _reference(self, scheme: DoubleIScheme, trigger: Query) -> Query:
        """The trigger-free twin of ``trigger``; raises ConfigError for a malformed pair."""
        try:
            scheme.check_pair(trigger.key, trigger.expected)
        except ConfigError as exc:
            raise ConfigError(f"pair {trigger.index}: {exc}") from exc
        key = scheme.reference_key(trigger.key)
        return Query(
            index=reference_index(trigger.index),
            key=key,
            expected=trigger.expected,
            messages=self._messages(scheme.prompt(key)),
            scored=trigger.scored,
            role="reference",
            samples=trigger.samples,
        )

    def _record(self, event: RecordAnswer) -> None:
        query = self._queries.get(event.index)
        if query is None:
            raise StateError(f"index {event.index} was not queried in this challenge")
        if event.index in self._answers:
            raise StateError(f"index {event.index} already has an answer")
        if (event.output is None) == (event.error is None):
            raise StateError("an answer carries an output or an error, not both or neither")
        if (event.more and event.output is None) or 1 + len(event.more) > query.samples:
            raise StateError(f"more answers for index {event.index} than its samples")
        outputs = () if event.output is None else (event.output, *event.more)
        hits = sum(1 for o in outputs if self.scheme.matches(query.expected, o))
        # with several samples the majority decides; what is missing counts against the
        # fingerprint: a trigger needs more than half its samples, a reference (the control of
        # a reference-scored scheme) gives the committed decision with half of them
        missing = query.samples - len(outputs)
        if query.role == "reference":
            matched = 2 * (hits + missing) >= query.samples
        elif self.doublei is not None:
            matched = 2 * hits > query.samples
        else:
            matched = hits > 0
        self._answers[event.index] = Answer(query, event.output, event.error, matched, outputs)

    def _conclude(self, trusted_time: int | None) -> None:
        assert self.challenge is not None
        if self.doublei is not None:
            self._conclude_by_reference(trusted_time)
            return
        assert self.p0 is not None
        scored = [q for q in self._queries.values() if q.scored]
        answers = [self._answers.get(q.index) for q in scored]
        matched = sum(1 for a in answers if a is not None and a.matched)
        failed = sum(1 for a in answers if a is None or a.output is None)
        # any of K answers may match: the per-key null of K draws is at most K * p0 (a union
        # bound, whatever the dependence between the draws; specs/challenge.md section 6)
        p0 = min(Fraction(1), self.samples * self.p0)
        self._verdict = decide(
            matched=matched,
            queried=len(scored),
            failed=failed,
            p0=p0,
            threshold=self.threshold,
            trusted_time=trusted_time,
            first_seen=self.challenge.first_seen,
            excluded=len(self._queries) - len(scored),
        )
        if self.samples > 1:
            self._note(
                f"{self.samples} answers per key, any of which may match: per-key null "
                f"{float(p0):.3g} = {self.samples} x {float(self.p0):.3g} (a union bound)"
            )
        self.state = SessionState.DONE

    def _note(self, reason: str) -> None:
        assert self._verdict is not None
        self._verdict = dataclasses.replace(self._verdict, reasons=(*self._verdict.reasons, reason))

    def _conclude_by_reference(self, trusted_time: int | None) -> None:
        """Fisher scoring; a failed query always counts against the fingerprint."""
        assert self.challenge is not None
        trigger_hits = reference_hits = failed = pairs = 0
        for q in self._queries.values():
            if not q.scored:
                continue
            answer = self._answers.get(q.index)
            missing = answer is None or answer.output is None
            failed += missing
            if q.role == "trigger":
                pairs += 1
                trigger_hits += answer is not None and answer.matched
            else:
                reference_hits += missing or (answer is not None and answer.matched)
        self._verdict = decide_by_reference(
            table=DecisionTable(
                trigger_matched=trigger_hits,
                trigger_queried=pairs,
                reference_matched=reference_hits,
                reference_queried=pairs,
            ),
            failed=failed,
            threshold=self.threshold,
            trusted_time=trusted_time,
            first_seen=self.challenge.first_seen,
            excluded=sum(1 for q in self._queries.values() if not q.scored and q.role == "trigger"),
        )
        if self.samples > 1:
            self._note(
                f"{self.samples} answers per query: the majority is the query's decision (a tie, "
                "or a missing answer, counts against the fingerprint)"
            )
        self.state = SessionState.DONE

    def _reject(self, reason: str) -> None:
        self.reasons.append(reason)
        self._verdict = rejected(
            reason,
            threshold=self.threshold,
            first_seen=None if self.challenge is None else self.challenge.first_seen,
        )
        self.state = SessionState.REJECTED

    # -- reading the session -----------------------------------------------------------------

    def queries(self) -> tuple[Query, ...]:
        """Every query to send, by ascending leaf index, a trigger query before its reference
        (available once the reveal verified)."""
        if self.state not in (SessionState.QUERYING, SessionState.DONE):
            raise StateError(f"no queries in state {self.state.value}")
        return tuple(sorted(self._queries.values(), key=_query_order))

    def pending(self) -> tuple[Query, ...]:
        """Queries that have no answer yet."""
        return tuple(q for q in self.queries() if q.index not in self._answers)

    def answers(self) -> tuple[Answer, ...]:
        """Answers in query order; a query never answered shows as a failure."""
        if self.state in (SessionState.IDLE, SessionState.AWAITING_REVEAL):
            return ()
        out = []
        for query in sorted(self._queries.values(), key=_query_order):
            answer = self._answers.get(query.index)
            if answer is None:
                answer = Answer(query, None, "not queried", False)
            out.append(answer)
        return tuple(out)

    def verdict(self) -> Verdict:
        if self._verdict is None:
            raise StateError(f"no verdict in state {self.state.value}")
        return self._verdict


def _query_order(query: Query) -> tuple[int, bool]:
    return query.leaf, query.role == "reference"
