"""Seconds until two SLURM workers are up (dask-jobqueue on the single-node test cluster).

Needs a running SLURM: ``bash tests/setup_slurm.sh`` (then ``SLURM_CONF`` is
``/var/tmp/twin-slurm/slurm.conf``, which this script uses when the variable is unset).
Measures, per repeat, from creating the ``SLURMCluster`` to two workers connected to the
scheduler (job submission, scheduling, Python start-up, connection); the worker jobs are
cancelled after each repeat. Last output line: JSON with ``seconds_to_two_workers``
(median).

Usage::

    bash tests/setup_slurm.sh && .venv/bin/python benchmarks/slurm_start.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

from twin.batch.cluster import SlurmSettings, slurm_kwargs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("SLURM_CONF", "/var/tmp/twin-slurm/slurm.conf")
    sinfo = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if sinfo.returncode != 0 or not sinfo.stdout.strip().startswith(("idle", "mixed")):
        raise SystemExit("error: no SLURM node ready; run `bash tests/setup_slurm.sh` first")

    from dask_jobqueue import SLURMCluster
    from distributed import Client

    settings = SlurmSettings(cores=1, memory="2GB", walltime="00:10:00", scheduler_host="127.0.0.1")
    times = []
    with tempfile.TemporaryDirectory(prefix="twin-slurm-bench-") as logs:
        for k in range(args.repeats):
            t0 = time.perf_counter()
            with SLURMCluster(**slurm_kwargs(settings, logs)) as cluster:
                cluster.scale(jobs=2)
                with Client(cluster) as client:
                    client.wait_for_workers(2, timeout=120)
                    elapsed = time.perf_counter() - t0
            times.append(elapsed)
            print(f"repeat {k + 1}: two workers after {elapsed:.2f} s", flush=True)
    print(
        json.dumps(
            {
                "benchmark": "slurm_start",
                "seconds_to_two_workers": round(statistics.median(times), 2),
                "min_s": round(min(times), 2),
                "max_s": round(max(times), 2),
                "repeats": args.repeats,
                "slurm": subprocess.run(
                    ["sinfo", "-V"], capture_output=True, text=True
                ).stdout.strip(),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
