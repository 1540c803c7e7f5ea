"""Patient-episodes per second through the full pathway: the largest département, one year.

Usage: python benchmarks/pathway_year.py [--dep 59] [--days 365] [--reference] [--seed 1]
An episode is one ED passage (self-presentation, SAMU transport or SMUR) plus every SAMU
call; the run is single-process, so the figure is per core. Network building (data
loading) is timed apart. ``episodes_per_second_per_core`` divides by the process CPU time
of the run (equal to the wall time on an idle core, and robust to a shared machine);
``episodes_per_second_wall`` is also given.

With ``--reference`` the previous model (:mod:`twin.sim.pathway_reference`, one SimPy
process per patient and per call) runs first on the same network and seed, and the JSON
carries both rates, their ratio, and the largest relative difference between the two
models' yearly totals of every output variable.
Last output line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import numpy as np
import xarray as xr

from twin.network import build_network, load_inputs
from twin.sim.replication import run_replication


def _timed(network, seed: int, reference: bool) -> tuple[xr.Dataset, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    ds = run_replication(network, seed, reference=reference)
    return ds, time.perf_counter() - w0, time.process_time() - c0


def _episodes(ds: xr.Dataset) -> float:
    return float(ds.ed_passages.sum()) + float(ds.samu_calls.sum())


def _largest_relative_gap(a: xr.Dataset, b: xr.Dataset) -> dict[str, float]:
    """Per variable, |total_b - total_a| / |total_a| over the whole run (NaN-skipping)."""
    out = {}
    for k in a.data_vars:
        x, y = float(a[k].sum(skipna=True)), float(b[k].sum(skipna=True))
        out[k] = abs(y - x) / abs(x) if x else float(abs(y) > 0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dep", default="59")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reference", action="store_true",
                    help="also run the previous (per-patient-process) model side by side")
    a = ap.parse_args()
    t0 = time.perf_counter()
    inputs = load_inputs(2023, [a.dep])
    network = build_network(inputs, [a.dep], date(2023, 1, 1), a.days)
    build = time.perf_counter() - t0
    fig: dict[str, object] = {"dep": a.dep, "days": a.days, "seed": a.seed}
    ref = None
    if a.reference:
        ref, wall_r, cpu_r = _timed(network, a.seed, True)
        fig.update(
            reference_run_seconds=round(wall_r, 1),
            reference_cpu_seconds=round(cpu_r, 1),
            reference_episodes_per_second_per_core=round(_episodes(ref) / cpu_r),
        )
    ds, wall, cpu = _timed(network, a.seed, False)
    episodes = _episodes(ds)
    fig.update(
        episodes=int(episodes),
        build_seconds=round(build, 1),
        run_seconds=round(wall, 1),
        cpu_seconds=round(cpu, 1),
        episodes_per_second_wall=round(episodes / wall),
        episodes_per_second_per_core=round(episodes / cpu),
    )
    if ref is not None:
        gaps = _largest_relative_gap(ref, ds)
        worst = max(gaps, key=gaps.get)
        fig.update(
            reference_episodes=int(_episodes(ref)),
            speedup=round(cpu_r / cpu, 2),
            largest_total_gap_variable=worst,
            largest_total_gap_relative=float(np.format_float_scientific(gaps[worst], 2)),
        )
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
