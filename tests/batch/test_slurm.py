"""The batch on a real SLURM cluster (single node, started by tests/setup_slurm.sh):
workers are SLURM jobs submitted by dask-jobqueue, and the store is the same bit for bit as
the one computed by a local worker."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.batch.conftest import TOTAL_TASKS, assert_same_store, wait_until
from twin.batch import ClusterSettings, SlurmSettings, run_batch
from twin.batch.cluster import open_client

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_slurm_batch_gives_the_same_store_as_a_local_worker(slurm, reference_store, plan, tmp_path):
    settings = ClusterSettings(
        kind="slurm",
        workers=2,
        slurm=SlurmSettings(
            cores=1,
            memory="2GB",
            walltime="00:15:00",
            scheduler_host="127.0.0.1",
        ),
    )
    path = tmp_path / "slurm.zarr"
    logs = tmp_path / "logs"
    with open_client(settings, logs) as client:
        client.wait_for_workers(2, timeout=120)
        # The workers really are two SLURM jobs.
        jobs = client.run(lambda: os.environ.get("SLURM_JOB_ID"))
        assert len(jobs) == 2 and None not in jobs.values() and len(set(jobs.values())) == 2
        report = run_batch(plan, path, client=client, progress=False)
    assert report.complete and report.computed == TOTAL_TASKS and not report.failed
    assert_same_store(reference_store, path)
    started = [p for p in logs.glob("*.err") if "Start worker at" in p.read_text(errors="replace")]
    assert len(started) == 2  # each job's log, in the folder given to the cluster

    # ...and no job is left once the batch is over (the cluster was closed).
    def queue_empty() -> bool:
        q = subprocess.run(["squeue", "-h"], capture_output=True, text=True)
        assert q.returncode == 0, q.stderr
        return q.stdout.strip() == ""

    wait_until(queue_empty, 60, "the worker jobs to leave the queue")


def test_validate_on_slurm_gives_the_in_process_report(slurm, tmp_path):
    """``twin validate --cluster slurm``: the région runs are SLURM jobs, and the report's
    numbers are the ones an in-process run computes with the same seed."""
    import json

    import xarray as xr

    from twin.cli import main as cli
    from twin.validation import build

    out = tmp_path / "slurm"
    status = cli([
        "validate", "--regions", "94", "--days", "3", "--warmup", "2", "--replications", "1",
        "--seed", "11", "--cluster", "slurm", "--workers", "1", "--out", str(out),
    ])
    assert status == 0
    logs = list((out / build.RUNS / "logs").glob("*.err"))
    assert any("Start worker at" in p.read_text(errors="replace") for p in logs)

    local = tmp_path / "local"
    settings = build.Settings(
        deps=("2A", "2B"), year=2023, start="2023-03-06", days=3, warmup_days=2,
        replications=1, seed=11, held_out=False,
    )
    build.write(build.run(settings, local, client=None), local)

    def tables(folder):
        data = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
        return {k: data[k] for k in ("settings", "metrics", "france", "departements")}

    assert tables(out) == tables(local)
    for store in (local / build.RUNS).glob("*.zarr"):
        with xr.open_zarr(store) as a, xr.open_zarr(out / build.RUNS / store.name) as b:
            xr.testing.assert_equal(a.load(), b.load())  # attrs differ only in timings
