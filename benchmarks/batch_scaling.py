"""Batch runner scaling: the same 8-replication batch with 1 and 2 local workers.

Figures (last output line, JSON):

* ``speedup_2_workers`` — wall time of the batch with 1 worker / with 2 workers (target
  ≥ 1.8 on 2 cores). Measured from submission to the last region written, on warm workers:
  each worker has already read and calibrated the data (about 10 s, once per worker and
  région, the same for 1 or 2 workers, reported apart as ``worker_warmup_s``).
* ``task_overhead_ms`` — what the runner adds per task on top of the simulation itself:
  (batch wall time − the tasks' own compute time measured on the worker) / tasks, on a
  batch of many very short tasks with 1 worker (scheduling, transfer of the results, the
  region write and the ``completed`` write).

Usage::

    .venv/bin/python benchmarks/batch_scaling.py                  # about 2 minutes (60-day runs)
    .venv/bin/python benchmarks/batch_scaling.py --days 7 --repeats 1   # quick look
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

SCENARIO = """\
name: corse-bench
description: Référence Corse pour le banc d'essai du lanceur de lots.
territories:
  regions: ["94"]
period:
  start: 2024-01-08
  days: {days}
  warmup_days: 1
replications: {replications}
seed: 2024
"""


def _warm(resolved, block) -> int:
    """Runs on every worker: read and calibrate the block's network once (cached)."""
    from twin.scenario.run import block_network

    block_network(resolved, tuple(block))
    return os.getpid()


def _plan(folder: Path, days: int, replications: int):
    from twin.batch import prepare

    path = folder / f"bench-{days}-{replications}.yaml"
    path.write_text(SCENARIO.format(days=days, replications=replications), encoding="utf-8")
    return prepare([path])


def _timed_batch(client, plan, folder: Path, name: str):
    from twin.batch import run_batch

    t0 = time.perf_counter()
    report = run_batch(plan, folder / f"{name}.zarr", client=client, progress=False)
    wall = time.perf_counter() - t0
    assert report.complete and not report.failed
    return wall, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=60, help="simulated days per replication")
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3, help="timed batches per worker count")
    ap.add_argument("--overhead-tasks", type=int, default=40)
    args = ap.parse_args()

    from twin.batch.cluster import ClusterSettings, open_client

    load_before = os.getloadavg()[0]
    out: dict = {"benchmark": "batch_scaling", "territory": "région 94 (Corse, 2 départements)"}
    walls: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="twin-bench-") as tmp:
        folder = Path(tmp)
        plan = _plan(folder, args.days, args.replications)
        tiny = _plan(folder, 2, args.overhead_tasks)
        for workers in (1, 2):
            t0 = time.perf_counter()
            with open_client(ClusterSettings(workers=workers)) as client:
                client.wait_for_workers(workers)
                started = time.perf_counter() - t0
                client.run(_warm, plan.scenarios[0], plan.blocks[0])
                client.run(_warm, tiny.scenarios[0], tiny.blocks[0])
                out[f"worker_warmup_s_{workers}"] = round(time.perf_counter() - t0 - started, 2)
                out[f"cluster_start_s_{workers}"] = round(started, 2)
                walls[workers] = []
                for k in range(args.repeats):
                    wall, report = _timed_batch(client, plan, folder, f"w{workers}-{k}")
                    walls[workers].append(wall)
                    print(
                        f"{workers} worker(s), batch {k + 1}: {wall:.2f} s wall, "
                        f"{report.compute_seconds:.2f} s of task compute "
                        f"({report.computed} tasks)",
                        flush=True,
                    )
                if workers == 1:
                    wall, report = _timed_batch(client, tiny, folder, "overhead")
                    per_task = (wall - report.compute_seconds) / report.computed
                    out["task_overhead_ms"] = round(per_task * 1000, 1)
                    out["overhead_task_compute_ms"] = round(
                        report.compute_seconds / report.computed * 1000, 1
                    )
                    print(
                        f"overhead batch: {report.computed} tasks, {wall:.2f} s wall, "
                        f"{report.compute_seconds:.2f} s compute",
                        flush=True,
                    )
    t1, t2 = statistics.median(walls[1]), statistics.median(walls[2])
    out.update(
        {
            "days": args.days,
            "replications": args.replications,
            "repeats": args.repeats,
            "batch_wall_s_1_worker": round(t1, 2),
            "batch_wall_s_2_workers": round(t2, 2),
            "speedup_2_workers": round(t1 / t2, 3),
            "target_speedup": 1.8,
            "cpus": os.cpu_count(),
            "load_average_1min_before": round(load_before, 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        }
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
