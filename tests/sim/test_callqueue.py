"""The SAMU call-taking queue solved as a recursion: Erlang C in steady state, and the same
start times as the instrumented SimPy engine under an hourly roster (rises, falls, zero)."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from twin.sim.callqueue import fifo_start_times, hourly_roster
from twin.sim.queueing import mmc
from twin.sim.resources import Resource


def _poisson(rng: np.random.Generator, rate: float, n: int) -> np.ndarray:
    return np.cumsum(rng.exponential(1.0 / rate, n))


def test_mmc_waits_match_erlang_c():
    rng = np.random.default_rng(7)
    lam, mu, c = 40.0, 6.0, 8  # rho = 0.83
    n = 200_000
    a = _poisson(rng, lam, n)
    s = rng.exponential(1.0 / mu, n)
    hours = int(a[-1]) + 2
    start = fifo_start_times(a, s, np.full(hours, c))
    wait = (start - a)[n // 10 :]  # drop the empty start
    theory = mmc(lam, mu, c)
    # Standard errors over ~180,000 autocorrelated waits: a few per cent at this load.
    assert np.mean(wait > 1e-12) == pytest.approx(theory.p_wait, rel=0.05)
    assert np.mean(wait) == pytest.approx(theory.mean_wait, rel=0.08)
    assert np.quantile(wait, 0.9) == pytest.approx(theory.wait_quantile(0.9), rel=0.08)
    # FIFO: service starts in arrival order, and never before the arrival.
    assert np.all(np.diff(start) >= 0) and np.all(start >= a)


def _engine_start_times(a, s, daily, hours):
    env = simpy.Environment()
    pool = Resource(env, max(daily), "arm")
    pool.follow_schedule(range(24), list(daily), repeat_every_hours=24)
    starts = np.full(len(a), np.inf)

    def call(i):
        req = pool.request()
        yield req
        starts[i] = env.now
        yield env.timeout(s[i])
        pool.release(req)

    def feed():
        for i, t in enumerate(a):
            yield env.timeout(t - env.now)
            env.process(call(i))

    env.process(feed())
    env.run(until=hours)
    return starts


def test_hourly_roster_gives_the_engines_start_times():
    rng = np.random.default_rng(3)
    # A roster with a rise, a fall while busy, and an hour with nobody on duty.
    daily = tuple([3] * 6 + [1] * 2 + [0] + [5] * 9 + [2] * 6)
    hours = 24 * 10
    a = _poisson(rng, 9.0, 2000)
    a = a[a < hours - 24]
    s = rng.exponential(0.35, len(a))
    ours = fifo_start_times(a, s, hourly_roster(daily, hours))
    engine = _engine_start_times(a, s, daily, hours)
    assert np.isfinite(ours).all()
    waited = np.mean(ours - a > 1e-9)
    assert 0.2 < waited < 0.95  # the roster binds: the comparison is not trivial
    np.testing.assert_allclose(ours, engine, rtol=0, atol=1e-9)


def test_customers_beyond_the_roster_still_wait():
    start = fifo_start_times(np.array([0.5, 0.6, 0.7]), np.array([5.0, 1.0, 1.0]),
                             np.array([1, 1, 1]))
    assert start[0] == 0.5 and np.isinf(start[1:]).all()
    with pytest.raises(ValueError, match="sorted"):
        fifo_start_times(np.array([1.0, 0.5]), np.ones(2), np.ones(3))
