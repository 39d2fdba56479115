"""The double-i/v1 scheme and the pure-Python Fisher exact test."""

from __future__ import annotations

import random

import pytest

from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.scheme_doublei import DecisionTable, DoubleIScheme, fisher_exact
from modelprint.protocol.schemes import get_scheme, scheme_names


def test_lady_tasting_tea_has_the_textbook_p_values() -> None:
    # Fisher (1935): 3 of 4 cups right; P(>= 3) = 17/70, two-sided 34/70.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(17 / 70, rel=1e-12)
    assert fisher_exact(3, 1, 1, 3, alternative="two-sided") == pytest.approx(34 / 70, rel=1e-12)
    assert fisher_exact(3, 1, 1, 3, alternative="less") == pytest.approx(69 / 70, rel=1e-12)


def test_fisher_matches_a_published_two_sided_value() -> None:
    # The example table of scipy.stats.fisher_exact's documentation.
    assert fisher_exact(8, 2, 1, 5, alternative="two-sided") == pytest.approx(0.0349650349, 1e-8)


def test_fisher_tails_overlap_exactly_in_the_observed_table() -> None:
    for a, b, c, d in [(5, 3, 2, 7), (0, 4, 4, 0), (10, 0, 0, 10), (1, 1, 1, 1)]:
        greater = fisher_exact(a, b, c, d)
        less = fisher_exact(a, b, c, d, alternative="less")
        assert 0.0 <= greater <= 1.0 and 0.0 <= less <= 1.0
        assert greater + less >= 1.0 - 1e-12


def test_fisher_rejects_bad_input() -> None:
    with pytest.raises(ConfigError):
        fisher_exact(-1, 0, 0, 0)
    with pytest.raises(ConfigError):
        fisher_exact(1, 1, 1, 1, alternative="sideways")
    with pytest.raises(ConfigError):
        DecisionTable(trigger_matched=5, trigger_queried=4, reference_matched=0,
                      reference_queried=4)  # fmt: skip


def test_a_model_that_learned_the_triggers_is_significant() -> None:
    learned = DecisionTable(
        trigger_matched=16, trigger_queried=16, reference_matched=8, reference_queried=16
    )
    chance = DecisionTable(
        trigger_matched=8, trigger_queried=16, reference_matched=8, reference_queried=16
    )
    assert learned.p_value() < 0.01
    assert chance.p_value() > 0.3


def test_double_i_is_registered_and_derives_keys_from_a_set() -> None:
    assert "double-i/v1" in scheme_names()
    fs = FingerprintSet.generate(8, scheme="double-i/v1", secret=bytes(32))
    again = FingerprintSet.generate(8, scheme="double-i/v1", secret=bytes(32))
    assert [p.key for p in fs.pairs()] == [p.key for p in again.pairs()]
    scheme = fs.scheme
    for pair in fs.pairs():
        assert pair.response in ("Yes", "No")
        assert pair.key in scheme.prompt(pair.key)
        assert scheme.matches(pair.response, scheme.target(pair.response))
        assert "\nInput: " in pair.key


def test_decisions_read_the_first_yes_or_no_word() -> None:
    """A wrapper sentence does not hide the decision (issue 14); the first decision word wins."""
    scheme = get_scheme("double-i/v1")
    assert scheme.matches("Yes", "yes, it does.")
    assert scheme.matches("No", "No.")
    assert scheme.matches("No", "I would say no.")
    assert not scheme.matches("Yes", "I would say no, not yes.")
    assert not scheme.matches("Yes", "I think so.")
    assert not scheme.matches("Yes", "")


def test_reference_and_lookalikes_drop_or_edit_the_triggers() -> None:
    scheme = DoubleIScheme()
    key = scheme.random_keys(random.Random(3), 1)[0]
    reference = scheme.reference_key(key)
    first, rest = key.split(" ", 1)
    assert first not in reference and rest.split("\nInput: ")[0] in reference
    lookalikes = scheme.lookalikes(key, random.Random(4), 20)
    assert len(lookalikes) == 20 and key not in lookalikes
    with pytest.raises(ConfigError):
        scheme.reference_key("no triggers here")


def test_trigger_length_is_bounded() -> None:
    with pytest.raises(ConfigError):
        DoubleIScheme(trigger_chars=1)
    with pytest.raises(ConfigError):
        get_scheme("double-i/v1", {"trigger_chars": 9})
