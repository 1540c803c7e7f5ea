"""Analytic Erlang B / Erlang C formulas against closed forms computed independently."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from twin.sim.queueing import (
    erlang_b,
    erlang_c,
    mmc,
    servers_for_blocking,
    servers_for_wait_probability,
)


def _erlang_b_exact(c: int, a: Fraction) -> Fraction:
    """Textbook closed form in exact rational arithmetic (independent of the recursion)."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def _erlang_c_exact(c: int, a: Fraction) -> Fraction:
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def _log_erlang_b(c: int, a: float) -> float:
    """Closed form in log space (log-sum-exp), usable for large c."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    m = max(logs)
    return logs[-1] - (m + math.log(sum(math.exp(x - m) for x in logs)))


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.85, 0.99])
def test_single_server_reduces_to_mm1(rho: float) -> None:
    mu = 2.0
    lam = rho * mu
    m = mmc(lam, mu, 1)
    assert erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
    assert m.p_wait == pytest.approx(rho, rel=1e-12)
    assert m.mean_wait == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert m.mean_in_system == pytest.approx(rho / (1 - rho), rel=1e-12)
    assert m.mean_sojourn == pytest.approx(1 / (mu - lam), rel=1e-12)


def test_erlang_b_published_values() -> None:
    # Values from standard Erlang B tables and small hand computations.
    assert erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-12)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-12)
    assert erlang_b(5, 3.0) == pytest.approx(2.025 / 18.4, rel=1e-12)
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)


@pytest.mark.parametrize("c", [1, 2, 3, 7, 15, 30])
@pytest.mark.parametrize("a", [Fraction(1, 3), Fraction(5, 2), Fraction(29, 2)])
def test_recursion_matches_exact_closed_form(c: int, a: Fraction) -> None:
    assert erlang_b(c, float(a)) == pytest.approx(float(_erlang_b_exact(c, a)), rel=1e-12)
    if a < c:
        assert erlang_c(c, float(a)) == pytest.approx(float(_erlang_c_exact(c, a)), rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(200, 150.0), (500, 450.0), (500, 499.0), (500, 700.0)])
def test_stable_for_hundreds_of_servers(c: int, a: float) -> None:
    b = erlang_b(c, a)
    assert 0.0 < b < 1.0
    assert math.log(b) == pytest.approx(_log_erlang_b(c, a), rel=1e-9)
    if a < c:
        pc = erlang_c(c, a)
        assert b < pc < 1.0
        m = mmc(a, 1.0, c)
        assert math.isfinite(m.mean_wait) and m.mean_wait > 0


def test_erlang_c_monotone_in_servers_and_load() -> None:
    a = 8.0
    cs = [erlang_c(c, a) for c in range(9, 30)]
    assert all(x > y for x, y in itertools.pairwise(cs))
    loads = [erlang_c(10, x) for x in (2.0, 5.0, 8.0, 9.5, 9.99)]
    assert all(x < y for x, y in itertools.pairwise(loads))


def test_littles_law_and_quantiles_consistent() -> None:
    m = mmc(4.5, 1.0, 5)
    assert m.mean_queue_length == pytest.approx(m.arrival_rate * m.mean_wait, rel=1e-12)
    assert m.mean_in_system == pytest.approx(m.arrival_rate * m.mean_sojourn, rel=1e-12)
    assert m.utilisation == pytest.approx(0.9)
    for q in (0.3, 0.5, 0.9, 0.99):
        t = m.wait_quantile(q)
        if t > 0:
            assert m.wait_exceeds(t) == pytest.approx(1 - q, rel=1e-12)
        else:
            assert q <= 1 - m.p_wait
    # Mean of the waiting-time law C·θ·exp(-θt) equals Wq.
    theta = 5 * 1.0 - 4.5
    assert m.p_wait / theta == pytest.approx(m.mean_wait, rel=1e-12)


def test_unstable_or_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        erlang_c(5, 5.0)
    with pytest.raises(ValueError):
        mmc(10.0, 1.0, 10)
    with pytest.raises(ValueError):
        erlang_b(0, 1.0)
    with pytest.raises(ValueError):
        erlang_b(3, -1.0)


def test_staffing_inverses() -> None:
    a = 42.0
    c = servers_for_wait_probability(a, 0.2)
    assert erlang_c(c, a) <= 0.2 < erlang_c(c - 1, a)
    n = servers_for_blocking(a, 0.01)
    assert erlang_b(n, a) <= 0.01 < erlang_b(n - 1, a)
