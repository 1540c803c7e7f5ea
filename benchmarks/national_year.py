"""Wall time and peak memory of one replication of all 101 départements.

Usage: python benchmarks/national_year.py [--days 365] [--workers 2] [--slurm]

Régions are independent (overflow, transfers and SAMU orientation stay within a région),
so the replication runs as one task per région on a Dask cluster of single-threaded worker
processes, exactly as the batch runner does. A région is *not* split further: a patient
waiting for a bed may be transferred to any establishment of the région with a free bed,
so no group of its départements is closed to transfers. Tasks are submitted largest first
(weight: the région's SAE ED passages plus SAMU calls, the episodes that cost the time), so
that the workers finish together (Île-de-France is about a fifth of the work).

Peak RSS is bounded above by workers × the largest worker peak, plus the client. The
1-minute load average before and after the run is reported: the figure is only meaningful
on an otherwise idle machine. With 365 days the simulated ED passages are compared with the
SAE 2023 total (sum of ``PASSU`` over the 689 ED units: 20,893,055).

``--slurm`` runs the workers as SLURM jobs of the single-node test cluster
(``bash tests/setup_slurm.sh``; one core and ``--memory`` per job) instead of a local cluster.
Last output line: one JSON object.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import tempfile
import time
from contextlib import suppress
from datetime import date
from pathlib import Path

from twin.batch.cluster import ClusterSettings, SlurmSettings, open_client
from twin.geography import regions

SAE_YEAR = 2023


def run_region(reg: str, days: int) -> dict[str, float]:
    from twin.geography import deps_of
    from twin.network import build_network, load_inputs
    from twin.sim.replication import run_replication

    w0, c0 = time.perf_counter(), time.process_time()
    deps = deps_of([f"R{reg}"]) if reg else []
    inputs = load_inputs(SAE_YEAR, deps)
    network = build_network(inputs, deps, date(SAE_YEAR, 1, 1), days)
    ds = run_replication(network, 1)
    passages = float(ds.ed_passages.sum())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    del ds, network, inputs
    _give_back_memory()
    return {
        "reg": reg,
        "ed_passages": passages,
        "rss_gb": rss,
        "seconds": time.perf_counter() - w0,
        "cpu_seconds": time.process_time() - c0,
    }


def _give_back_memory() -> None:
    """Collect and return freed heap pages to the system between tasks, so that a worker's
    peak is its largest task rather than the pile-up of the tasks it ran (glibc only)."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def region_weights() -> tuple[dict[str, float], float]:
    """Work proxy per région (SAE ED passages + SAMU calls received) and the SAE total of
    ED passages (real figures, read from the embedded SAE tables)."""
    from twin.sources import sae

    ed = sae.load_ed_units(SAE_YEAR)
    calls = sae.load_samu_smur(SAE_YEAR)
    w = ed.groupby("reg")["passages"].sum().add(
        calls.groupby("reg")["calls_received"].sum(), fill_value=0.0
    )
    return {str(k): float(v) for k, v in w.items()}, float(ed["passages"].sum())


def _cluster_settings(a: argparse.Namespace) -> ClusterSettings:
    if not a.slurm:
        return ClusterSettings(kind="local", workers=a.workers)
    os.environ.setdefault("SLURM_CONF", "/var/tmp/twin-slurm/slurm.conf")
    slurm = SlurmSettings(cores=1, memory=a.memory, walltime="02:00:00",
                          scheduler_host="127.0.0.1")
    return ClusterSettings(kind="slurm", workers=a.workers, slurm=slurm)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--slurm", action="store_true", help="workers as SLURM jobs (test cluster)")
    ap.add_argument("--memory", default="4GB", help="memory per SLURM worker job")
    a = ap.parse_args()
    weights, sae_passages = region_weights()
    regs = sorted(regions().index.astype(str), key=lambda r: -weights.get(r, 0.0))
    load_before = os.getloadavg()[0]
    with (tempfile.TemporaryDirectory(prefix="twin-national-") as logs,
          open_client(_cluster_settings(a), Path(logs)) as client):
        client.wait_for_workers(a.workers, timeout=600)
        t0 = time.perf_counter()
        futures = [
            client.submit(run_region, r, a.days, pure=False, priority=len(regs) - i)
            for i, r in enumerate(regs)
        ]
        results = client.gather(futures)
        wall = time.perf_counter() - t0
    client_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    passages = sum(r["ed_passages"] for r in results)
    largest = max(results, key=lambda r: r["seconds"])
    fig = {
        "days": a.days,
        "regions": len(regs),
        "workers": a.workers,
        "cluster": "slurm" if a.slurm else "local",
        "ed_passages": int(passages),
        "sae_2023_ed_passages": int(sae_passages) if a.days == 365 else None,
        "ed_passages_ratio_to_sae": round(passages / sae_passages, 5) if a.days == 365 else None,
        "wall_seconds": round(wall, 1),
        "task_seconds_sum": round(sum(r["seconds"] for r in results), 1),
        "task_cpu_seconds_sum": round(sum(r["cpu_seconds"] for r in results), 1),
        "largest_task": f"R{largest['reg']}: {largest['seconds']:.1f} s",
        # Upper bound: every worker at the largest peak seen, plus the client.
        "peak_rss_gb": round(a.workers * max(r["rss_gb"] for r in results) + client_rss, 2),
        "worker_peak_gb_after_task": {r["reg"]: round(r["rss_gb"], 2) for r in results},
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
