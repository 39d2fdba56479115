"""Exact binomial p-values and the verdict rules."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from modelprint.protocol.errors import ConfigError
from modelprint.protocol.scoring import (
    DEFAULT_THRESHOLD,
    binomial_tail,
    decide,
    null_probability,
)

P0 = null_probability("if-decrypt/v1")


def _brute_force(n: int, m: int, p: Fraction) -> Fraction:
    total = Fraction(0)
    for outcome in itertools.product([0, 1], repeat=n):
        if sum(outcome) >= m:
            term = Fraction(1)
            for x in outcome:
                term *= p if x else 1 - p
            total += term
    return total


@pytest.mark.parametrize("n,m", [(0, 0), (1, 1), (5, 0), (5, 3), (8, 8), (8, 1), (10, 4)])
def test_binomial_tail_is_exact(n: int, m: int) -> None:
    assert binomial_tail(n, m, Fraction(1, 7)) == _brute_force(n, m, Fraction(1, 7))


def test_all_matches_give_p0_to_the_k() -> None:
    for k in (8, 16, 32):
        assert binomial_tail(k, k, P0) == P0**k
    assert float(binomial_tail(32, 32, P0)) == pytest.approx(1e-64)


def test_tiny_p_values_do_not_underflow() -> None:
    p = binomial_tail(400, 400, P0)
    assert p > 0 and p == Fraction(1, 100**400)


def test_unknown_scheme_has_no_null_bound() -> None:
    with pytest.raises(ConfigError):
        null_probability("nope/v1")
    with pytest.raises(ConfigError):
        null_probability("if-decrypt/v1", Fraction(3, 2))


def _decide(**kw):
    base = dict(
        matched=8,
        queried=8,
        failed=0,
        p0=P0,
        threshold=DEFAULT_THRESHOLD,
        trusted_time=10,
        first_seen=20,
    )
    base.update(kw)
    return decide(**base)


def test_match_needs_significance_and_prior_trusted_time() -> None:
    assert _decide().kind == "match"
    assert _decide(matched=2).kind == "no-match"
    assert _decide(trusted_time=20).kind == "rejected"
    assert _decide(trusted_time=None).kind == "rejected"
    assert _decide(matched=0, queried=0).kind == "no-match"


def test_failures_count_as_non_matches_and_mark_partial() -> None:
    v = _decide(matched=4, failed=4)
    assert v.partial and v.p_value == binomial_tail(8, 4, P0)
    with pytest.raises(ConfigError):
        _decide(matched=6, failed=4)
