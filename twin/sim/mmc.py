"""An M/M/c queue run on the twin's engine: Erlang C verification and benchmark workload.

The model is the smallest honest instance of what the pathway model does: one SimPy
process per patient that requests a :class:`~twin.sim.resources.Resource`, holds it for a
service time, and releases it. Verifying it against Erlang C (:mod:`twin.sim.queueing`)
checks the engine's event ordering, FIFO discipline and accumulators; timing it measures
the engine's cost per patient.

Randomness follows :mod:`twin.rng`: inter-arrival times come from the stream
``("mmc", "arrivals")`` and service times from ``("mmc", "service")``, both drawn in NumPy
blocks (a per-call ``Generator.exponential`` costs about a microsecond, a block costs a
few nanoseconds per draw). Patient ``i`` (in arrival order) always receives the ``i``-th
service draw, whatever the number of servers or the horizon: runs that differ only by
``servers`` see the *same* patients (common random numbers). For FIFO M/M/c this makes
waits monotone path by path: with one more server, every patient waits no longer (the
sorted-workload argument of Kiefer and Wolfowitz; see ``tests/sim/test_mmc.py``).

Statistics window: patients *arriving* in ``[warmup_hours, horizon_hours)`` are measured.
Arrivals stop at the horizon and the run continues until the system is empty, so every
measured patient has a complete wait (no censoring of the last, longest waits).
Time-weighted averages (L, Lq, utilisation) are over the same window, from the resource's
accumulators.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from twin.rng import stream
from twin.sim.resources import Resource, Snapshot, window

_BLOCK = 8192


def _blocks(rng: np.random.Generator, rate: float, kept: list[np.ndarray]) -> Iterator[list[float]]:
    """Endless blocks of exponential variates (as Python floats); each block is kept."""
    scale = 1.0 / rate
    while True:
        block = rng.exponential(scale, _BLOCK)
        kept.append(block)
        yield block.tolist()


def _patient(
    request: Any, release: Any, timeout: Any, service: float
) -> Generator[simpy.events.Event, Any, None]:
    # Bound methods are passed in: one attribute lookup per run instead of per patient.
    req = request()
    yield req
    yield timeout(service)
    release(req)


def _source(
    env: simpy.Environment,
    res: Resource,
    inter: Iterator[list[float]],
    serv: Iterator[list[float]],
    horizon: float,
) -> Generator[simpy.events.Event, Any, None]:
    timeout = env.timeout
    process = env.process
    request, release = res.request, res.release
    t = env.now
    for ia_block, s_block in zip(inter, serv, strict=False):
        for ia, s in zip(ia_block, s_block, strict=True):
            t += ia
            if t >= horizon:
                return
            yield timeout(ia)
            process(_patient(request, release, timeout, s))


@dataclass(frozen=True)
class MMcRun:
    """Result of :func:`simulate_mmc` (times in hours, rates per hour)."""

    arrival_rate_per_hour: float
    service_rate_per_hour: float
    servers: int
    horizon_hours: float
    warmup_hours: float
    patients: int
    """Patients who arrived in the window ``[warmup, horizon)``."""
    patients_simulated: int
    """All patients who went through the system (warm-up included)."""
    p_wait: float
    """Fraction of window patients who waited (found all servers busy)."""
    mean_wait: float
    median_wait: float
    p90_wait: float
    mean_sojourn: float
    """Mean time in system (wait + service) of window patients."""
    mean_in_system: float
    """L: time-average number in system over the window (accumulator)."""
    mean_in_queue: float
    """Lq: time-average number waiting over the window."""
    mean_in_service: float
    utilisation: float
    """Busy server-hours / open server-hours over the window."""
    arrival_rate_observed: float
    throughput_per_hour: float
    """Departures per hour over the window."""
    end_time_hours: float
    """When the last patient left (the run drains after the horizon)."""
    waits: np.ndarray = field(repr=False, compare=False)
    """Waits of window patients, in arrival order (aligned across runs sharing a seed)."""

    @property
    def littles_lambda_w(self) -> float:
        """λ·W with the observed arrival rate and mean sojourn: compare with ``mean_in_system``."""
        return self.arrival_rate_observed * self.mean_sojourn

    def as_dict(self) -> dict[str, float | int]:
        """Scalar fields only (for JSON and tables)."""
        return {
            k: v for k, v in self.__dict__.items() if k != "waits" and isinstance(v, (int, float))
        } | {"littles_lambda_w": self.littles_lambda_w}


def simulate_mmc(
    arrival_rate_per_hour: float,
    service_rate_per_hour: float,
    servers: int,
    horizon_hours: float,
    warmup_hours: float = 0.0,
    seed: int | np.random.SeedSequence = 0,
) -> MMcRun:
    """Simulate a FIFO M/M/c queue on the twin engine and measure it.

    ``seed`` is an entropy integer or a replication's ``SeedSequence``
    (:func:`twin.rng.replication_seed`). Raises ``ValueError`` on a non-positive rate or
    window.
    """
    if arrival_rate_per_hour <= 0 or service_rate_per_hour <= 0:
        raise ValueError("rates must be > 0")
    if not 0 <= warmup_hours < horizon_hours:
        raise ValueError("need 0 <= warmup_hours < horizon_hours")
    env = simpy.Environment()
    res = Resource(env, servers, "mmc")
    kept_service: list[np.ndarray] = []
    inter = _blocks(stream(seed, "mmc", "arrivals"), arrival_rate_per_hour, [])
    serv = _blocks(stream(seed, "mmc", "service"), service_rate_per_hour, kept_service)
    env.process(_source(env, res, inter, serv, float(horizon_hours)))

    snap0: Snapshot
    if warmup_hours > 0:
        env.run(until=warmup_hours)
    snap0 = res.snapshot(reset_peaks=False)
    env.run(until=horizon_hours)
    snap1 = res.snapshot(reset_peaks=False)
    env.run()  # drain: arrivals have stopped, every patient finishes
    win = window(snap0, snap1)

    rec = res.waits()
    order = np.argsort(rec["t_request"], kind="stable")
    t_req = rec["t_request"][order]
    all_waits = rec["wait"][order]
    n_all = t_req.size
    service = np.concatenate(kept_service)[:n_all] if n_all else np.empty(0)
    sel = t_req >= warmup_hours
    waits = all_waits[sel]
    sojourn = waits + service[sel]
    n = int(waits.size)
    if n:
        p_wait = float(np.count_nonzero(waits > 0.0) / n)
        mean_wait = float(waits.mean())
        median_wait, p90_wait = (float(x) for x in np.quantile(waits, [0.5, 0.9]))
        mean_sojourn = float(sojourn.mean())
    else:
        p_wait = mean_wait = median_wait = p90_wait = mean_sojourn = float("nan")
    return MMcRun(
        arrival_rate_per_hour=float(arrival_rate_per_hour),
        service_rate_per_hour=float(service_rate_per_hour),
        servers=int(servers),
        horizon_hours=float(horizon_hours),
        warmup_hours=float(warmup_hours),
        patients=n,
        patients_simulated=int(n_all),
        p_wait=p_wait,
        mean_wait=mean_wait,
        median_wait=median_wait,
        p90_wait=p90_wait,
        mean_sojourn=mean_sojourn,
        mean_in_system=win.mean_in_system,
        mean_in_queue=win.mean_waiting,
        mean_in_service=win.mean_in_service,
        utilisation=win.utilisation,
        arrival_rate_observed=n / (horizon_hours - warmup_hours),
        throughput_per_hour=win.throughput,
        end_time_hours=float(env.now),
        waits=waits,
    )
