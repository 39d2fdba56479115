"""Verifying double-i/v1: trigger and reference queries, Fisher's exact test, honest verdicts."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import pytest

from modelprint.cli import main
from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import Query, SignedReveal, reference_index
from modelprint.protocol.errors import ConfigError, TransportError
from modelprint.protocol.fingerprints import FingerprintPair, FingerprintSet
from modelprint.protocol.scheme_doublei import DecisionTable, DoubleIScheme
from modelprint.protocol.scoring import null_probability
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.report import render_html, to_json
from modelprint.verify.responders import Progress, Reply, TranscriptResponder
from modelprint.verify.session import Outcome, run_challenge
from tests.factories import T0, Published

SCHEME = DoubleIScheme()
Answerer = Callable[[Query], str | None]


def _opposite(decision: str) -> str:
    return "No" if decision == "Yes" else "Yes"


class FakeSuspect:
    """A responder that answers each query with ``answerer(query)``; None is a failed query."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self.seen: list[Query] = []

    def describe(self) -> str:
        return "fake suspect"

    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]:
        self.seen.extend(queries)
        replies = []
        for q in queries:
            output = self.answerer(q)
            reply = Reply(q.index, output, None if output is not None else "HTTP 500")
            replies.append(reply)
            if progress:
                progress(reply)
        return replies


def learned(q: Query) -> str:
    """The fingerprinted model: committed decision with the triggers, a coin-like answer without."""
    if q.role == "trigger":
        return f"{q.expected}."
    return "Yes." if q.leaf % 2 else "No, it does not."


def _natural(q: Query) -> str:
    """An answer that depends only on the task, never on the triggers."""
    return "Yes" if len(SCHEME.reference_key(q.key) if q.role == "trigger" else q.key) % 2 else "No"


@pytest.fixture(scope="module")
def doublei() -> Published:
    identity = Identity.generate()
    fps = FingerprintSet.generate(64, "double-i/v1", secret=bytes(range(32)))
    bundle = create_commitment(fps, identity, model_name="doublei-model", claimed_time=T0)
    return Published(identity, fps, bundle)


def _run(
    pub: Published, answerer: Answerer, count: int = 48, p0: Fraction | None = None
) -> Outcome:
    c = pub.challenge(count)
    return run_challenge(
        pub.bundle, c, pub.reveal(c), FakeSuspect(answerer), policy=UnsafeClaimedTime(), p0=p0
    )


def test_every_pair_is_asked_with_and_without_its_triggers(doublei: Published) -> None:
    c = doublei.challenge(16)
    suspect = FakeSuspect(learned)
    run_challenge(doublei.bundle, c, doublei.reveal(c), suspect, policy=UnsafeClaimedTime())
    triggers = [q for q in suspect.seen if q.role == "trigger"]
    references = [q for q in suspect.seen if q.role == "reference"]
    assert len(triggers) == len(references) == 16
    by_leaf = {q.leaf: q for q in references}
    for t in triggers:
        r = by_leaf[t.index]
        assert r.index == reference_index(t.index) < 0
        assert r.expected == t.expected and r.key == SCHEME.reference_key(t.key)
        assert r.messages == (("user", SCHEME.prompt(r.key)),)
        assert t.messages == (("user", SCHEME.prompt(t.key)),)


def test_learned_triggers_with_mixed_references_match(doublei: Published) -> None:
    outcome = _run(doublei, learned)
    v = outcome.verdict
    assert v.kind == "match" and (v.matched, v.queried) == (48, 48)
    assert v.decisions is not None and v.decisions.trigger_matched == 48
    assert 0 < v.decisions.reference_matched < 48  # mixed: about half agree by chance
    assert v.p_value == v.decisions.exact_p_value() and v.p_value < v.threshold
    assert v.null_probability is None and not v.partial


def test_learned_triggers_with_opposite_references_match_with_few_keys(
    doublei: Published,
) -> None:
    def flipped(q: Query) -> str:
        return q.expected if q.role == "trigger" else _opposite(q.expected)

    v = _run(doublei, flipped, count=16).verdict
    assert v.kind == "match" and v.decisions is not None
    assert (v.decisions.trigger_matched, v.decisions.reference_matched) == (16, 0)


def test_answers_that_ignore_the_triggers_do_not_match(doublei: Published) -> None:
    v = _run(doublei, _natural, count=64).verdict
    assert v.kind == "no-match" and v.decisions is not None
    assert v.decisions.trigger_matched == v.decisions.reference_matched
    assert v.p_value is not None and v.p_value > Fraction(1, 2)


def test_a_suspect_that_always_says_yes_does_not_match(doublei: Published) -> None:
    v = _run(doublei, lambda q: "Yes.", count=64).verdict
    assert v.kind == "no-match" and v.decisions is not None
    assert 0 < v.matched < 64  # half the committed decisions are Yes, on both rows
    assert v.decisions.trigger_matched == v.decisions.reference_matched


def test_failed_reference_queries_count_against_the_fingerprint(doublei: Published) -> None:
    v = _run(doublei, lambda q: q.expected if q.role == "trigger" else None).verdict
    assert v.kind == "no-match" and v.partial and v.failed == 48
    assert v.decisions is not None and v.decisions.reference_matched == 48
    assert v.p_value == 1


def test_failed_trigger_queries_count_as_no_decision(doublei: Published) -> None:
    def broken(q: Query) -> str | None:
        return None if q.role == "trigger" and q.leaf % 3 else learned(q)

    v = _run(doublei, broken).verdict
    assert v.kind == "no-match" and v.partial and v.decisions is not None
    assert v.matched == v.decisions.trigger_matched == 48 - v.failed  # only answered ones count
    assert any(r.startswith("partial") for r in v.reasons)


def test_failures_can_only_raise_the_p_value() -> None:
    # Every way of failing queries of a 4-pair challenge, starting from every outcome: a failed
    # trigger query becomes a non-match, a failed reference query a committed decision.
    for tm, rm in itertools.product(range(5), repeat=2):
        base = DecisionTable(
            trigger_matched=tm, trigger_queried=4, reference_matched=rm, reference_queried=4
        ).exact_p_value()
        for lose, gain in itertools.product(range(tm + 1), range(4 - rm + 1)):
            worse = DecisionTable(
                trigger_matched=tm - lose,
                trigger_queried=4,
                reference_matched=rm + gain,
                reference_queried=4,
            ).exact_p_value()
            assert worse >= base


def test_every_query_failing_is_a_transport_error_not_a_verdict(doublei: Published) -> None:
    with pytest.raises(TransportError):
        _run(doublei, lambda q: None)


def test_burned_pairs_are_scored_on_neither_row(doublei: Published) -> None:
    c = doublei.challenge(16)
    first = doublei.reveal(c).unverified().pairs[0].index
    outcome = run_challenge(
        doublei.bundle, c, doublei.reveal(c), FakeSuspect(learned),
        policy=UnsafeClaimedTime(), known_burned={first},
    )  # fmt: skip
    v = outcome.verdict
    assert v.decisions is not None
    assert v.decisions.trigger_queried == v.decisions.reference_queried == 15
    assert all(not a.query.scored for a in outcome.answers if a.query.leaf == first)
    assert any("burned" in r for r in v.reasons)


def test_overclaimed_time_is_rejected_even_with_perfect_triggers(doublei: Published) -> None:
    c = doublei.challenge(48, first_seen=T0 - 1)
    v = run_challenge(
        doublei.bundle, c, doublei.reveal(c), FakeSuspect(learned), policy=UnsafeClaimedTime()
    ).verdict
    assert v.kind == "rejected" and v.matched == 48 and not v.committed_before


def test_no_binomial_null_probability_applies() -> None:
    with pytest.raises(ConfigError, match="Fisher"):
        null_probability("double-i/v1")
    with pytest.raises(ConfigError, match="Fisher"):
        null_probability("double-i/v1", Fraction(1, 2))


def test_a_binomial_null_override_is_refused(doublei: Published) -> None:
    with pytest.raises(ConfigError, match="Fisher"):
        _run(doublei, learned, p0=Fraction(1, 2))


def test_publisher_chosen_triggers_outside_the_scheme_are_refused(doublei: Published) -> None:
    pair = doublei.fingerprints.pair(0)
    SCHEME.check_pair(pair.key, pair.response)
    question_and_input = SCHEME.reference_key(pair.key)
    question, sentence = question_and_input.split("\nInput: ")
    second = pair.key.split("\nInput: ")[1].split(" ")[0]
    for key, response in (
        (f"Negate: {question}\nInput: {second} {sentence}", pair.response),
        (f"{pair.key.split(' ')[0]} Is water wet?\nInput: {second} {sentence}", pair.response),
        (pair.key, "Maybe"),
        ("no triggers here", "Yes"),
    ):
        with pytest.raises(ConfigError):
            SCHEME.check_pair(key, response)


def test_a_reveal_with_a_hostile_trigger_is_rejected_before_any_query() -> None:
    # A publisher commits keys whose "trigger" flips any model's answer; the reveal verifies
    # cryptographically, but the verifier refuses to score pairs outside the scheme's form.
    identity = Identity.generate()
    fps = FingerprintSet.generate(8, "double-i/v1", secret=bytes(32))
    for i in range(8):
        honest = fps.pair(i)
        task = SCHEME.reference_key(honest.key).replace("\nInput: ", "\nInput: Negate: ", 1)
        fps._cache[i] = FingerprintPair(i, f"Negate: {task}", honest.response, honest.salt)
    bundle = create_commitment(fps, identity, model_name="hostile", claimed_time=T0)
    pub = Published(identity, fps, bundle)
    suspect = FakeSuspect(learned)
    c = pub.challenge(8)
    v = run_challenge(pub.bundle, c, pub.reveal(c), suspect, policy=UnsafeClaimedTime()).verdict
    assert v.kind == "rejected" and suspect.seen == []
    assert "not a double-i/v1 trigger" in v.reasons[0]


def test_report_lists_both_roles_and_replays_as_a_transcript(
    doublei: Published, tmp_path: Path
) -> None:
    outcome = _run(doublei, learned)
    doc = to_json(outcome)
    assert (doc["matched"], doc["queried"]) == (48, 48)
    assert doc["test"] == "fisher-exact" and doc["reference"]["queried"] == 48
    roles = [q["role"] for q in doc["queries"]]
    assert roles == ["trigger", "reference"] * 48
    for trigger, reference in zip(doc["queries"][::2], doc["queries"][1::2], strict=True):
        assert reference["pair"] == trigger["pair"] == trigger["index"]
        assert reference["index"] == reference_index(trigger["index"])
    page = render_html(outcome)
    assert "Fisher" in page and "(reference)" in page
    path = tmp_path / "T.json"
    path.write_text(json.dumps(doc))
    c = outcome.challenge
    replay = run_challenge(
        doublei.bundle, c, doublei.reveal(c), TranscriptResponder(path),
        policy=UnsafeClaimedTime(),
    )  # fmt: skip
    assert replay.verdict == outcome.verdict


def test_if_decrypt_reports_keep_their_fields(published: Published) -> None:
    c = published.challenge(8)
    outcome = run_challenge(
        published.bundle, c, published.reveal(c),
        FakeSuspect(lambda q: f"the message is: {q.expected}"), policy=UnsafeClaimedTime(),
    )  # fmt: skip
    doc = to_json(outcome)
    assert doc["verdict"] == "match" and "reference" not in doc and "test" not in doc
    assert all("role" not in q and "pair" not in q for q in doc["queries"])


# -- the CLI round trip --------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _transcript(reveal: Path, out: Path, answerer: Answerer) -> None:
    """What a suspect would have answered, in the ``verify --json`` transcript form."""
    pairs = SignedReveal.from_bytes(reveal.read_bytes()).unverified().pairs
    entries = []
    for p in pairs:
        reference = SCHEME.reference_key(p.key)
        for q in (
            Query(p.index, p.key, p.response, (("user", SCHEME.prompt(p.key)),)),
            Query(
                reference_index(p.index), reference, p.response,
                (("user", SCHEME.prompt(reference)),), role="reference",
            ),
        ):  # fmt: skip
            entries.append({"index": q.index, "prompt": q.chat(), "output": answerer(q)})
    out.write_text(json.dumps({"queries": entries}))


def test_cli_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    steps = [
        ("keygen", "--out", "ID.key"),
        ("fingerprints", "--scheme", "double-i/v1", "--count", "64", "--out", "FP.secret"),
        ("commit", "--identity", "ID.key", "--fingerprints", "FP.secret", "--model-name", "m",
         "--out", "M.bundle", "--time", "2025-01-01"),
        ("challenge", "--bundle", "M.bundle", "--count", "48", "--first-seen", "2025-06-01",
         "--out", "C.challenge"),
        ("reveal", "C.challenge", "--fingerprints", "FP.secret", "--identity", "ID.key",
         "--bundle", "M.bundle", "--out", "R.reveal"),
    ]  # fmt: skip
    for argv in steps:
        code, _, err = _cli(capsys, *argv)
        assert code == 0, (argv, err)
    verify = ("verify", "--bundle", "M.bundle", "--challenge", "C.challenge", "--reveal",
              "R.reveal", "--transcript", "T.json", "--unsafe-trust-claimed-time", "--json")  # fmt: skip

    _transcript(tmp_path / "R.reveal", tmp_path / "T.json", learned)
    code, out, err = _cli(capsys, *verify, "--report", "r.html")
    doc = json.loads(out)
    assert code == 0, err
    assert (doc["verdict"], doc["matched"], doc["queried"]) == ("match", 48, 48)
    assert {"committed_before", "p_value", "reasons", "queries"} <= set(doc)
    assert doc["p_value"] < doc["threshold"] and doc["null_probability"] is None
    assert len(doc["queries"]) == 96 and {q["role"] for q in doc["queries"]} == {
        "trigger",
        "reference",
    }
    assert "Fisher" in (tmp_path / "r.html").read_text()

    _transcript(tmp_path / "R.reveal", tmp_path / "T.json", _natural)
    code, out, _ = _cli(capsys, *verify)
    assert code == 1 and json.loads(out)["verdict"] == "no-match"
