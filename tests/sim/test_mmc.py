"""The twin engine on an M/M/c queue: Erlang C, Little's law, reproducibility, common
random numbers, and exact agreement with ``simpy.Resource`` on identical patients.

Statistical method: independent replications (replication seeds of one entropy), each
with its own warm-up from an empty system, measuring patients who arrive in
``[warmup, horizon)``. Replication means are i.i.d., so a Student t interval is valid
without the batch-size tuning batch means would need. Every statistical assertion is
"theory lies in the 99 % t interval", plus a *power* requirement that the interval be
narrower than a stated relative error, so that a broken engine could not pass by having
wide intervals. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from functools import cache
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import stats

from twin.rng import replication_seed, stream
from twin.sim.mmc import MMcRun, simulate_mmc
from twin.sim.queueing import mmc

ENTROPY = 20251129
SERVERS = 5
MU = 1.0
REPLICATIONS = 20
# load -> (warm-up, horizon) in hours. Warm-up is several times the relaxation time
# 1/(cμ(1-√ρ)²) (about 76 h at ρ = 0.9); horizons give the power asked below.
LOADS = {0.5: (100.0, 5100.0), 0.8: (300.0, 4300.0), 0.9: (500.0, 10500.0)}


@cache
def _replications(rho: float) -> tuple[MMcRun, ...]:
    warmup, horizon = LOADS[rho]
    lam = rho * SERVERS * MU
    return tuple(
        simulate_mmc(lam, MU, SERVERS, horizon, warmup, replication_seed(ENTROPY, r))
        for r in range(REPLICATIONS)
    )


def _t_interval(x: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """(mean, half-width) of the Student t interval of i.i.d. replication values."""
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(half)


@pytest.mark.slow
@pytest.mark.parametrize("rho", sorted(LOADS))
def test_reproduces_erlang_c(rho: float) -> None:
    runs = _replications(rho)
    theory = mmc(rho * SERVERS * MU, MU, SERVERS)
    checks = {
        "p_wait": theory.p_wait,
        "mean_wait": theory.mean_wait,
        "mean_in_system": theory.mean_in_system,  # time-weighted accumulator
        "mean_in_queue": theory.mean_queue_length,
        "utilisation": theory.utilisation,
        "throughput_per_hour": theory.arrival_rate,
    }
    if rho >= 0.8:  # at ρ = 0.5 the 90th percentile wait is 0 (P(wait) = 0.13)
        checks["p90_wait"] = theory.wait_quantile(0.9)
    for name, expected in checks.items():
        mean, half = _t_interval(np.array([getattr(r, name) for r in runs]))
        # Power: the interval must be able to reveal a 10 % error.
        assert half < 0.10 * expected, (name, half, expected)
        assert abs(mean - expected) < half, (name, mean, expected, half)


@pytest.mark.slow
@pytest.mark.parametrize("rho", sorted(LOADS))
def test_littles_law_on_resource(rho: float) -> None:
    """L from the time-weighted accumulator equals λW from per-patient records (paired)."""
    runs = _replications(rho)
    d = np.array([r.mean_in_system - r.littles_lambda_w for r in runs])
    mean, half = _t_interval(d)
    l_mean = np.mean([r.mean_in_system for r in runs])
    assert half < 0.01 * l_mean
    assert abs(mean) < half


def test_same_seed_identical_different_seed_different() -> None:
    a = simulate_mmc(4.0, 1.0, 5, 300.0, 20.0, seed=replication_seed(1, 0))
    b = simulate_mmc(4.0, 1.0, 5, 300.0, 20.0, seed=replication_seed(1, 0))
    c = simulate_mmc(4.0, 1.0, 5, 300.0, 20.0, seed=replication_seed(1, 1))
    assert a == b and np.array_equal(a.waits, b.waits)
    assert a.patients != c.patients or not np.array_equal(a.waits, c.waits)
    assert a.mean_wait != c.mean_wait


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_more_servers_never_increase_waits_pathwise(seed: int) -> None:
    """Common random numbers: patient i keeps arrival i and service draw i across runs.

    For FIFO multi-server queues the sorted remaining-workload vector (Kiefer-Wolfowitz)
    with c+1 servers is dominated component-wise by the one with c servers, by induction
    over arrivals; the wait is its smallest component. So *each patient's* wait, not only
    the mean, is non-increasing in c. Checked for c = 3..7 at λ = 2.5, μ = 1.
    """
    runs = [simulate_mmc(2.5, 1.0, c, 1500.0, 0.0, seed) for c in range(3, 8)]
    for few, more in itertools.pairwise(runs):
        assert few.waits.size == more.waits.size  # same patients
        assert np.all(more.waits <= few.waits + 1e-9)
        assert more.mean_wait < few.mean_wait  # and strictly better somewhere
        assert more.p_wait <= few.p_wait


def test_longer_horizon_keeps_earlier_patients() -> None:
    """Streams are consumed in patient order: extending the horizon only adds patients."""
    short = simulate_mmc(4.0, 1.0, 5, 400.0, 0.0, seed=7)
    long = simulate_mmc(4.0, 1.0, 5, 900.0, 0.0, seed=7)
    n = short.waits.size
    assert long.waits.size > n
    np.testing.assert_array_equal(long.waits[:n], short.waits)


def _simpy_reference_waits(
    inter: np.ndarray, service: np.ndarray, servers: int, horizon: float
) -> np.ndarray:
    """Idiomatic SimPy M/M/c on given draws: the twin must reproduce it exactly."""
    env = simpy.Environment()
    res = simpy.Resource(env, servers)
    waits: list[tuple[float, float]] = []

    def patient(s: float) -> Generator[Any, Any, None]:
        t0 = env.now
        with res.request() as req:
            yield req
            waits.append((t0, env.now - t0))
            yield env.timeout(s)

    def source() -> Generator[Any, Any, None]:
        t = 0.0
        for ia, s in zip(inter.tolist(), service.tolist(), strict=True):
            t += ia
            if t >= horizon:
                return
            yield env.timeout(ia)
            env.process(patient(s))

    env.process(source())
    env.run()
    waits.sort()
    return np.array([w for _, w in waits])


def test_identical_to_simpy_resource_on_same_patients() -> None:
    lam, mu, c, horizon, seed = 4.5, 1.0, 5, 2000.0, 3
    n = 20_000  # more draws than arrivals before the horizon
    inter = stream(seed, "mmc", "arrivals").exponential(1 / lam, n)
    service = stream(seed, "mmc", "service").exponential(1 / mu, n)
    ref = _simpy_reference_waits(inter, service, c, horizon)
    twin = simulate_mmc(lam, mu, c, horizon, 0.0, seed)
    assert twin.waits.size == ref.size > 8000
    np.testing.assert_allclose(twin.waits, ref, rtol=0, atol=1e-9)
    assert np.count_nonzero(ref > 0) > 0.5 * ref.size  # a congested, non-trivial check


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        simulate_mmc(1.0, 1.0, 2, 10.0, 10.0)
    with pytest.raises(ValueError):
        simulate_mmc(0.0, 1.0, 2, 10.0)
