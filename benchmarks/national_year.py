"""Wall time and peak memory of one replication of all 101 départements.

Usage: python benchmarks/national_year.py [--days 365]
Régions are independent (overflow stays within a région), so the replication runs as one
task per région on a local Dask cluster of 2 single-threaded worker processes, exactly as
the batch runner does. Peak RSS is bounded above by workers × the largest worker peak,
plus the client.
Last output line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date

from dask.distributed import Client, LocalCluster

from twin.geography import regions


def run_region(reg: str, days: int) -> tuple[float, float]:
    from twin.geography import deps_of
    from twin.network import build_network, load_inputs
    from twin.sim.replication import run_replication

    deps = deps_of([f"R{reg}"]) if reg else []
    inputs = load_inputs(2023, deps)
    network = build_network(inputs, deps, date(2023, 1, 1), days)
    ds = run_replication(network, 1)
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return float(ds.ed_passages.sum()), rss_gb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    regs = list(regions().index.astype(str))
    t0 = time.perf_counter()
    with LocalCluster(
        n_workers=a.workers, threads_per_worker=1, dashboard_address="127.0.0.1:0"
    ) as cluster, Client(cluster) as client:
        futures = [client.submit(run_region, r, a.days, pure=False) for r in regs]
        results = client.gather(futures)
    wall = time.perf_counter() - t0
    client_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    fig = {
        "days": a.days,
        "regions": len(regs),
        "ed_passages": int(sum(p for p, _ in results)),
        "wall_seconds": round(wall, 1),
        # Upper bound: every worker at the largest peak seen, plus the client.
        "peak_rss_gb": round(a.workers * max(r for _, r in results) + client_rss, 2),
    }
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
