"""Behaviour of the instrumented server pools: scripted scenarios with known answers,
exact accounting identities, and statistical laws over independent replications."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy
from scipy import stats

from twin.rng import replication_seed, stream
from twin.sim.clock import HOURS_PER_DAY
from twin.sim.queueing import erlang_b
from twin.sim.resources import (
    IN_SERVICE,
    WAITING,
    PeriodicRecorder,
    PriorityResource,
    Request,
    Resource,
    window,
)

Proc = Generator[simpy.events.Event, Any, None]


def _hold(
    env: simpy.Environment,
    res: Resource,
    arrive: float,
    service: float,
    log: dict[str, list[float]],
    key: str,
    priority: int = 0,
) -> Proc:
    """Arrive at ``arrive``, hold one server for ``service``, log grant and exit times."""
    yield env.timeout(arrive)
    req = res.request(priority)
    yield req
    log.setdefault(key, []).append(env.now)
    yield env.timeout(service)
    res.release(req)
    log[key].append(env.now)


def test_free_server_granted_without_scheduling() -> None:
    env = simpy.Environment()
    res = Resource(env, 2, "cubicles")
    req = res.request()
    # Already processed: a process yielding it resumes in the same step, no heap entry.
    assert req.processed and req.ok and req.granted
    assert len(env._queue) == 0
    assert res.in_service == 1 and res.waiting == 0 and req.wait == 0.0


def test_fifo_order_and_waits() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "doctor")
    log: dict[str, list[float]] = {}
    for i, t in enumerate([0.0, 1.0, 2.0]):
        env.process(_hold(env, res, t, 5.0, log, f"p{i}"))
    env.run()
    assert [log[f"p{i}"][0] for i in range(3)] == [0.0, 5.0, 10.0]
    w = res.waits()
    np.testing.assert_allclose(w["t_request"], [0.0, 1.0, 2.0])
    np.testing.assert_allclose(w["wait"], [0.0, 4.0, 8.0])
    assert res.total_wait == pytest.approx(12.0)


def test_lowering_capacity_never_ejects_and_is_not_replaced() -> None:
    env = simpy.Environment()
    res = Resource(env, 3, "beds")
    log: dict[str, list[float]] = {}
    for i in range(3):
        env.process(_hold(env, res, 0.0, 4.0 + i, log, f"in{i}"))  # leave at 4, 5, 6
    env.process(_hold(env, res, 0.5, 1.0, log, "late"))

    def close_two() -> Proc:
        yield env.timeout(1.0)
        res.set_capacity(1)
        assert res.in_service == 3  # nobody ejected
        assert res.capacity == 1

    env.process(close_two())
    env.run()
    # Patients in service finish exactly on time.
    assert [log[f"in{i}"][1] for i in range(3)] == [4.0, 5.0, 6.0]
    # The late patient (queued at 0.5) only starts when in_service falls below the new
    # capacity of 1: after the last of the three has left, at t=6 (not at 4 or 5).
    assert log["late"] == [6.0, 7.0]
    assert res.departures == 4


def test_raising_capacity_starts_waiting_patients_at_once() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "icu")
    log: dict[str, list[float]] = {}
    for i in range(4):
        env.process(_hold(env, res, 0.1 * i, 10.0, log, f"p{i}"))

    def surge() -> Proc:
        yield env.timeout(2.0)
        assert res.waiting == 3
        res.set_capacity(3)  # crisis plan opens two beds
        assert res.in_service == 3 and res.waiting == 1

    env.process(surge())
    env.run()
    assert [log[f"p{i}"][0] for i in range(4)] == [0.0, 2.0, 2.0, 10.0]


def test_follow_schedule_repeats_daily_roster() -> None:
    env = simpy.Environment()
    res = Resource(env, 0, "ed_doctors")
    # 2 doctors at night, 5 from 08:00, 3 from 20:00, every day.
    res.follow_schedule([0.0, 8.0, 20.0], [2, 5, 3], repeat_every_hours=HOURS_PER_DAY)
    seen: list[tuple[float, int]] = []

    def probe() -> Proc:
        for t in (0.5, 7.9, 8.1, 19.0, 21.0, 24.5, 32.5, 47.0):
            yield env.timeout(t - env.now)
            seen.append((t, res.capacity))

    env.process(probe())
    env.run(until=48.0)
    assert seen == [
        (0.5, 2),
        (7.9, 2),
        (8.1, 5),
        (19.0, 5),
        (21.0, 3),
        (24.5, 2),
        (32.5, 5),
        (47.0, 3),
    ]
    s = res.snapshot()
    # Mean capacity over two days: (2*8 + 5*12 + 3*4) / 24 = 3.666...
    assert s.area_capacity / 48.0 == pytest.approx((2 * 8 + 5 * 12 + 3 * 4) / 24)


def test_roster_change_applies_to_simultaneous_arrival_and_can_be_stopped() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "regulators")
    log: dict[str, list[float]] = {}
    # Created *before* the roster, the arrival at exactly 08:00 would be processed first
    # (and served) if capacity changes were ordinary events. The 08:00 closure must apply
    # first, so the patient waits for the 20:00 reopening.
    env.process(_hold(env, res, 8.0, 1.0, log, "at8"))
    roster = res.follow_schedule([0.0, 8.0, 20.0], [1, 0, 1], repeat_every_hours=24.0)

    def crisis() -> Proc:
        yield env.timeout(30.0)
        roster.interrupt("plan blanc")
        res.set_capacity(6)

    env.process(crisis())
    env.run(until=24 * 3)
    assert log["at8"] == [20.0, 21.0]
    assert res.capacity == 6  # the stopped roster did not close it again at 32 h
    assert not roster.is_alive


def test_priority_order_non_preemptive_fifo_within_level() -> None:
    env = simpy.Environment()
    res = PriorityResource(env, 1, "triage")
    log: dict[str, list[float]] = {}
    env.process(_hold(env, res, 0.0, 10.0, log, "first", priority=5))
    for i, prio in enumerate([3, 1, 2, 1, 3]):
        env.process(_hold(env, res, 1.0 + i, 1.0, log, f"p{i}_{prio}", priority=prio))
    env.run()
    starts = sorted((v[0], k) for k, v in log.items())
    assert [k for _, k in starts] == ["first", "p1_1", "p3_1", "p2_2", "p0_3", "p4_3"]
    assert log["first"] == [0.0, 10.0]  # an urgent arrival does not interrupt service
    w = res.waits()
    assert list(w["priority"]) == [5, 1, 1, 2, 3, 3]


def test_reneging_cancel_and_context_manager() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "ed")
    outcome: dict[str, str] = {}

    def patient(name: str, arrive: float, patience: float, service: float) -> Proc:
        yield env.timeout(arrive)
        with res.request() as req:
            got = yield req | env.timeout(patience)
            if req not in got:
                outcome[name] = "left"
                return  # __exit__ cancels the waiting request
            outcome[name] = "seen"
            yield env.timeout(service)
        # __exit__ released the server

    env.process(patient("a", 0.0, 1.0, 5.0))
    env.process(patient("b", 0.1, 1.0, 1.0))  # leaves at 1.1
    env.process(patient("c", 0.2, 10.0, 1.0))  # served at 5.0
    env.run()
    assert outcome == {"a": "seen", "b": "left", "c": "seen"}
    assert res.reneged == 1 and res.departures == 2 and res.in_system == 0
    assert res.total_wait_reneged == pytest.approx(1.0)
    w = res.waits()
    np.testing.assert_allclose(w["wait"], [0.0, 4.8])


def test_interrupted_waiting_process_frees_its_place() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "smur")
    holder = res.request()

    def waiter() -> Proc:
        try:
            with res.request() as req:
                yield req
        except simpy.Interrupt:
            pass

    p = env.process(waiter())

    def interrupter() -> Proc:
        yield env.timeout(1.0)
        p.interrupt("mission cancelled")

    env.process(interrupter())
    env.run(until=2.0)
    assert res.waiting == 0 and res.reneged == 1
    res.release(holder)
    assert res.in_service == 0  # the cancelled request was skipped, not granted


def test_misuse_is_loud() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "a")
    other = Resource(env, 1, "b")
    req = res.request()
    res.release(req)
    with pytest.raises(RuntimeError):
        res.release(req)  # double release would corrupt the counters
    req2 = res.request()
    with pytest.raises(RuntimeError):
        other.release(req2)
    with pytest.raises(RuntimeError):
        res.cancel(req2)
    with pytest.raises(ValueError):
        res.set_capacity(-1)
    with pytest.raises(ValueError):
        Resource(env, 1.5, "x")  # type: ignore[arg-type]


def _random_workload(
    seed: np.random.SeedSequence | int,
    horizon: float,
    *,
    snapshot_every: float | None = None,
    checks: list[tuple[int, int, int, int, int]] | None = None,
) -> tuple[simpy.Environment, PriorityResource]:
    """A stressing workload: 4 triage levels, reneging, a capacity roster and a closure.

    Inter-arrival, service, priority and patience draws come from separate named streams.
    """
    env = simpy.Environment()
    res = PriorityResource(env, 4, "ed")
    res.follow_schedule([0.0, 8.0, 14.0, 20.0], [3, 6, 5, 4], repeat_every_hours=24.0)
    g_arr = stream(seed, "test", "arrivals")
    g_srv = stream(seed, "test", "service")
    g_pri = stream(seed, "test", "priority")
    g_pat = stream(seed, "test", "patience")

    def patient(prio: int, service: float, patience: float) -> Proc:
        with res.request(prio) as req:
            got = yield req | env.timeout(patience)
            if req not in got:
                return
            yield env.timeout(service)

    def source() -> Proc:
        while True:
            yield env.timeout(g_arr.exponential(1 / 4.0))
            if env.now >= horizon:
                return
            env.process(
                patient(int(g_pri.integers(1, 5)), g_srv.exponential(1.0), g_pat.exponential(3.0))
            )

    env.process(source())
    if snapshot_every is not None and checks is not None:

        def snapper() -> Proc:
            while env.now < horizon:
                yield env.timeout(snapshot_every)
                s = res.snapshot(reset_peaks=False)
                checks.append((s.arrivals, s.departures, s.reneged, s.in_service, s.waiting))

        env.process(snapper())
    return env, res


def test_conservation_at_every_snapshot_and_exact_area_identities() -> None:
    checks: list[tuple[int, int, int, int, int]] = []
    env, res = _random_workload(11, 200.0, snapshot_every=0.37, checks=checks)
    env.run(until=200.0)
    env.run(until=400.0)  # arrivals stopped at 200 h: drain (the roster keeps running)
    assert len(checks) > 500
    for arrivals, departures, reneged, in_service, waiting in checks:
        assert arrivals == departures + reneged + in_service + waiting
    assert any(w > 0 for *_, w in checks) and any(r > 0 for _, _, r, _, _ in checks)
    s = res.snapshot()
    assert s.in_service == 0 and s.waiting == 0
    # Once empty: area under N(t) is exactly the sum of times in system, and the area
    # under the queue curve is exactly the sum of waits (served + reneged).
    assert s.area_in_service + s.area_waiting == pytest.approx(s.total_time_in_system, rel=1e-9)
    assert s.area_waiting == pytest.approx(s.total_wait + s.total_wait_reneged, rel=1e-9)
    w = res.waits()
    assert w["wait"].size == s.starts
    assert w["wait"].sum() == pytest.approx(s.total_wait, rel=1e-9)
    assert (w["wait"] >= 0).all()


def test_daily_recorder_mean_and_peak() -> None:
    env = simpy.Environment()
    res = Resource(env, 10, "ward")
    log: dict[str, list[float]] = {}
    # Day 0: three beds from 6h to 18h -> mean 1.5, peak 3.
    for i in range(3):
        env.process(_hold(env, res, 6.0, 12.0, log, f"d0_{i}"))
    # Day 1: one bed all day, and a 5-bed spike of one hour -> mean 1 + 5/24, peak 6.
    env.process(_hold(env, res, 24.0, 24.0, log, "d1_long"))
    for i in range(5):
        env.process(_hold(env, res, 30.0, 1.0, log, f"d1_{i}"))
    rec = PeriodicRecorder(env, [res], period_hours=HOURS_PER_DAY)
    env.run(until=3 * HOURS_PER_DAY + 1)
    a = rec.arrays()
    assert rec.n_periods == 3
    np.testing.assert_allclose(a["mean_in_service"][0], [1.5, 1 + 5 / 24, 0.0])
    # Periods are half-open [a, b): the long-stay patient arriving exactly at t=24 belongs
    # to day 1; leaving exactly at t=48 they are still present at day 2's first instant,
    # so day 2 has peak 1, mean 0 and one departure.
    np.testing.assert_array_equal(a["peak_in_service"][0], [3, 6, 1])
    np.testing.assert_array_equal(a["arrivals"][0], [3, 6, 0])
    np.testing.assert_array_equal(a["departures"][0], [3, 5, 1])
    ds = rec.to_dataset(start_date=np.datetime64("2025-01-01").astype(object))
    assert ds["mean_in_service"].dims == ("resource", "period")
    assert str(ds["date"].values[1])[:10] == "2025-01-02"


def test_loss_system_matches_erlang_b() -> None:
    """Beds without a queue (full -> redirected): blocking fraction vs Erlang B, 99% CI.

    Erlang B is insensitive to the length-of-stay law; exponential stays are used here.
    Replications are independent (replication seeds); the tolerance is the Student t
    interval of the replication means, and its width is required to be small enough to
    detect a 10 % relative error.
    """
    beds, lam, mu = 8, 6.0, 1.0
    blocked_fraction = []
    for r in range(12):
        seed = replication_seed(2024, r)
        env = simpy.Environment()
        res = Resource(env, beds, "beds", record_waits=False)
        g_a, g_s = stream(seed, "loss", "arrivals"), stream(seed, "loss", "service")
        counts = [0, 0]
        ia, sv = g_a.exponential(1 / lam, 40_000).tolist(), g_s.exponential(1 / mu, 40_000)
        sv = sv.tolist()

        def stay(s: float, res: Resource = res, env: simpy.Environment = env) -> Proc:
            req = res.request()
            yield req
            yield env.timeout(s)
            res.release(req)

        def source(
            env: simpy.Environment = env,
            res: Resource = res,
            counts: list[int] = counts,
            ia: list[float] = ia,
            sv: list[float] = sv,
        ) -> Proc:
            for i, (x, s) in enumerate(zip(ia, sv, strict=True)):
                yield env.timeout(x)
                if i < 2000:  # warm-up
                    if res.in_service < res.capacity:
                        env.process(stay(s))
                    continue
                counts[0] += 1
                if res.in_service >= res.capacity:
                    counts[1] += 1
                else:
                    env.process(stay(s))

        env.process(source())
        env.run()
        assert res.reneged == 0 and res.snapshot().peak_waiting == 0
        blocked_fraction.append(counts[1] / counts[0])
    x = np.asarray(blocked_fraction)
    half = stats.t.ppf(0.995, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    target = erlang_b(beds, lam / mu)
    assert half < 0.1 * target
    assert abs(x.mean() - target) < half


def test_littles_law_on_a_priority_pool_with_roster_and_reneging() -> None:
    """L = λW over a window, per replication, for a non-Markovian, time-varying pool.

    Little's law needs no distributional assumption, so it is checked where no closed form
    exists. Per replication d = L - λW over [24 h, 24 h + 30 days]; the 99 % t interval of
    the mean of d over independent replications must contain 0, and must be narrow
    (< 2 % of L) so that a real bias would be detected.
    """
    diffs, ls = [], []
    t0, t1 = 24.0, 24.0 + 30 * 24.0
    for r in range(10):
        env, res = _random_workload(replication_seed(99, r), t1 + 100)
        env.run(until=t0)
        a = res.snapshot()
        env.run(until=t1)
        b = res.snapshot()
        lhs, rhs = window(a, b).littles_law()
        diffs.append(lhs - rhs)
        ls.append(lhs)
    d = np.asarray(diffs)
    half = stats.t.ppf(0.995, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    assert half < 0.02 * np.mean(ls)
    assert abs(d.mean()) < half


def test_request_states_exposed() -> None:
    env = simpy.Environment()
    res = Resource(env, 1, "x")
    a, b = res.request(), res.request()
    assert isinstance(a, Request) and a.state == IN_SERVICE and b.state == WAITING
    assert np.isnan(b.wait) and not b.triggered
    res.release(a)
    assert b.state == IN_SERVICE and b.triggered and not b.processed
    env.run()
    assert b.processed
