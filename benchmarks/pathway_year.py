"""Patient-episodes per second through the full pathway: the largest département, one year.

Usage: python benchmarks/pathway_year.py [--dep 59] [--days 365]
An episode is one ED passage (self-presentation, SAMU transport or SMUR) plus every SAMU
call; the run is single-process, so the figure is per core. Network building (data
loading) is timed apart. Last output line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from twin.network import build_network, load_inputs
from twin.sim.replication import run_replication


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dep", default="59")
    ap.add_argument("--days", type=int, default=365)
    a = ap.parse_args()
    t0 = time.perf_counter()
    inputs = load_inputs(2023, [a.dep])
    network = build_network(inputs, [a.dep], date(2023, 1, 1), a.days)
    t1 = time.perf_counter()
    ds = run_replication(network, 1)
    t2 = time.perf_counter()
    episodes = float(ds.ed_passages.sum()) + float(ds.samu_calls.sum())
    fig = {
        "dep": a.dep,
        "days": a.days,
        "episodes": int(episodes),
        "build_seconds": round(t1 - t0, 1),
        "run_seconds": round(t2 - t1, 1),
        "episodes_per_second_per_core": round(episodes / (t2 - t1)),
    }
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
