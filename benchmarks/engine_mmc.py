"""Patients per second of the twin engine vs bare SimPy vs Ciw on one M/M/c queue.

Run from the repository root::

    .venv/bin/python benchmarks/engine_mmc.py            # c=10, ρ=0.85, 200k patients, 5 repeats
    .venv/bin/python benchmarks/engine_mmc.py --patients 50000 --repeats 1   # quick look

The three contenders simulate the same queue (same c, λ, μ, horizon) with their own
random numbers: (a) :func:`twin.sim.mmc.simulate_mmc` (the twin's resource, named streams,
per-patient wait buffers, time-weighted accumulators, statistics at the end, warm-up 0);
(b) idiomatic SimPy, one process per patient with ``with res.request() as req`` and
``random.Random.expovariate`` draws (the fastest idiomatic draw, no monitoring at all);
(c) Ciw (``ciw.create_network`` with exponential distributions,
``simulate_until_max_time``; Ciw seeds the global ``random`` module, acceptable in this
stand-alone script only). Each timing covers building the model, running it and, for the
twin, computing its statistics. Patients counted: those who completed service. Each
contender runs ``--repeats`` times in alternation and the median rate is reported; the
ratios are medians of the ratios of back-to-back runs. Rates use the CPU time of this
process (``time.process_time``), because the machines this runs on are shared and wall
time then measures the neighbours as much as the engine (all three are single-threaded,
so on an idle machine CPU and wall time agree; wall-clock rates are printed too). The last
line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simpy

from twin.sim.mmc import simulate_mmc


def run_twin(lam: float, mu: float, c: int, horizon: float, seed: int) -> int:
    return simulate_mmc(lam, mu, c, horizon, 0.0, seed).patients_simulated


def run_simpy(lam: float, mu: float, c: int, horizon: float, seed: int) -> int:
    rnd = random.Random(seed)
    env = simpy.Environment()
    res = simpy.Resource(env, capacity=c)
    done = [0]

    def patient(service: float) -> Generator[Any, Any, None]:
        with res.request() as req:
            yield req
            yield env.timeout(service)
        done[0] += 1

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(rnd.expovariate(lam))
            env.process(patient(rnd.expovariate(mu)))

    env.process(source())
    env.run(until=horizon)
    return done[0]


def run_ciw(lam: float, mu: float, c: int, horizon: float, seed: int) -> int:
    import ciw

    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[c],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    return len(sim.get_all_records())


def _timed(fn: Callable[..., int], *args: Any) -> tuple[float, float, int]:
    """(CPU seconds of this process, wall seconds, patients) for one run."""
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    n = fn(*args)
    return time.process_time() - c0, time.perf_counter() - w0, n


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--rho", type=float, default=0.85)
    p.add_argument("--service-rate", type=float, default=1.0, help="per hour")
    p.add_argument("--patients", type=int, default=200_000, help="expected per run")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-ciw", action="store_true")
    a = p.parse_args(argv)

    mu, c = a.service_rate, a.servers
    lam = a.rho * c * mu
    horizon = a.patients / lam
    contenders: dict[str, Callable[..., int]] = {"twin": run_twin, "simpy": run_simpy}
    if not a.no_ciw:
        contenders["ciw"] = run_ciw
    rates: dict[str, list[float]] = {k: [] for k in contenders}
    wall_rates: dict[str, list[float]] = {k: [] for k in contenders}
    load_before = os.getloadavg()[0]
    for rep in range(a.repeats):
        for name, fn in contenders.items():
            cpu, wall, n = _timed(fn, lam, mu, c, horizon, 1000 + rep)
            rates[name].append(n / cpu)
            wall_rates[name].append(n / wall)
            print(
                f"  repeat {rep + 1}/{a.repeats} {name:5s}: {n:7d} patients, "
                f"{cpu:6.2f} s CPU = {n / cpu:7.0f}/s, {wall:6.2f} s wall = {n / wall:7.0f}/s",
                flush=True,
            )
    med = {k: statistics.median(v) for k, v in rates.items()}
    med_wall = {k: statistics.median(v) for k, v in wall_rates.items()}

    def paired(other: str) -> float:
        """Median over repeats of the ratio of back-to-back runs (robust to load drift)."""
        return statistics.median(t / o for t, o in zip(rates["twin"], rates[other], strict=True))

    result: dict[str, Any] = {
        "benchmark": "engine_mmc",
        "servers": c,
        "rho": a.rho,
        "arrival_rate_per_hour": lam,
        "service_rate_per_hour": mu,
        "horizon_hours": horizon,
        "repeats": a.repeats,
        "clock": "process CPU time (wall-clock figures in *_wall)",
        "twin_patients_per_s": round(med["twin"]),
        "simpy_patients_per_s": round(med["simpy"]),
        "twin_vs_simpy": round(paired("simpy"), 3),
        "twin_patients_per_s_wall": round(med_wall["twin"]),
        "simpy_patients_per_s_wall": round(med_wall["simpy"]),
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
    }
    if "ciw" in med:
        import ciw

        result["ciw_patients_per_s"] = round(med["ciw"])
        result["twin_vs_ciw"] = round(paired("ciw"), 3)
        result["ciw_patients_per_s_wall"] = round(med_wall["ciw"])
        result["ciw"] = ciw.__version__
    print()
    print(f"M/M/{c}, rho={a.rho}, ~{a.patients} patients per run, median of {a.repeats}")
    print(f"(CPU time of this process; 1-min load average {load_before:.2f} before the run):")
    for k in contenders:
        print(f"  {k:5s} {med[k]:9.0f} patients/s   (wall clock {med_wall[k]:9.0f}/s)")
    print(f"  twin / simpy = {result['twin_vs_simpy']:.2f} (target >= 0.9)")
    if "ciw" in med:
        print(f"  twin / ciw   = {result['twin_vs_ciw']:.2f} (target >= 2)")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
