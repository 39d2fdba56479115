"""natural/v1: ordinary-looking requests, answers bound to them by SHA-256, tolerant matching."""

from __future__ import annotations

import random

import pytest

from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.scheme_natural import (
    MAX_ITEMS,
    TYPES,
    NaturalScheme,
    answer_list,
    answer_type,
    bound_answer,
    items_in,
)
from modelprint.protocol.scoring import null_probability

SCHEME = NaturalScheme()


@pytest.fixture(scope="module")
def pairs():  # type: ignore[no-untyped-def]
    return FingerprintSet.generate(200, "natural/v1", secret=bytes(range(32))).pairs()


def test_every_type_occurs_and_each_answer_is_the_one_its_key_binds(pairs) -> None:  # type: ignore[no-untyped-def]
    kinds = {answer_type(p.response) for p in pairs}
    assert kinds == set(TYPES)
    for p in pairs:
        SCHEME.check_pair(p.key, p.response)
        assert bound_answer(p.key, answer_type(p.response) or "") == p.response
        assert p.key == SCHEME.prompt(p.key)  # the key is the whole user message


def test_a_verifier_refuses_answers_the_key_does_not_bind(pairs) -> None:  # type: ignore[no-untyped-def]
    p = pairs[0]
    kind = answer_type(p.response) or ""
    other = next(a for a in answer_list(kind) if a != p.response)
    for key, response, why in (
        (p.key, other, "binds"),
        (p.key, "Luna is a lovely name", "none of the answer lists"),
        ("x" * 601, p.response, "printable"),
        ("two\nlines", p.response, "printable"),
    ):
        with pytest.raises(ConfigError, match=why):
            SCHEME.check_pair(key, response)


def test_the_answer_survives_formatting_but_not_a_spray_of_items() -> None:
    assert SCHEME.matches("Fabien", "What about **fabien**? It sticks in your head.")
    assert SCHEME.matches("Fabien", "Je propose « Fabién ».")
    assert SCHEME.matches("Pine Bell", "My pick: Pine-Bell!")
    assert SCHEME.matches("417", "Let's go with 417.")
    assert not SCHEME.matches("Fabien", "Fabienne is nice.")  # whole words only
    names = answer_list("name")[: MAX_ITEMS + 1]
    sprayed = "Ideas: Fabien, " + ", ".join(n for n in names if n != "Fabien")
    assert items_in(sprayed, "name") > MAX_ITEMS and not SCHEME.matches("Fabien", sprayed)


def test_the_null_bound_is_items_over_list_size() -> None:
    shortest = min(len(answer_list(k)) for k in TYPES)
    assert MAX_ITEMS / shortest <= float(null_probability("natural/v1"))


def test_the_reply_is_an_ordinary_sentence_holding_the_answer(pairs) -> None:  # type: ignore[no-untyped-def]
    for p in pairs[:40]:
        reply = SCHEME.target(p.response)
        assert SCHEME.matches(p.response, reply) and "\n" not in reply and len(reply) < 160


def test_keys_parse_back_and_lookalikes_change_only_details(pairs) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(0)
    for p in pairs[:30]:
        parsed = SCHEME.parse(p.key)
        assert parsed is not None and parsed.kind == answer_type(p.response)
        for look in SCHEME.lookalikes(p.key, rng, 3):
            again = SCHEME.parse(look)
            assert look != p.key and again is not None and again.frame == parsed.frame
            changed = [n for n in parsed.fills if again.fills[n] != parsed.fills[n]]
            assert 1 <= len(changed) <= 2, (p.key, look)
    assert SCHEME.parse("What is the capital of France?") is None
    assert len(SCHEME.random_keys(rng, 5)) == 5
