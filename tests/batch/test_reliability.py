"""Reliability of the batch runner on a real Dask cluster (no mocks): same seed → the same
store bit for bit whatever the workers, a worker or the batch process killed mid-way, a
failing task never marked complete."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import numpy as np
import psutil
import pytest

from tests.batch.conftest import (
    REPO,
    TOTAL_TASKS,
    assert_same_store,
    completed_count,
    wait_until,
)
from twin.batch import ClusterSettings, prepare, run_batch
from twin.batch.manifest import PeriodOverride
from twin.batch.store import read_completed

pytestmark = pytest.mark.slow

KILL_DAYS = 90
"""Horizon of the killed-worker batch: long enough that a kill after the first finished task
lands mid-batch (the fast pathway model runs the shared 6-day Corse plan's 8 tasks in well
under a second, so they could all finish before the kill)."""


@pytest.fixture(scope="module")
def long_plan(scenario_files):
    return prepare(scenario_files, period=PeriodOverride(days=KILL_DAYS))


@pytest.fixture(scope="module")
def long_reference(long_plan, tmp_path_factory):
    """The undisturbed run of :func:`long_plan`: one local worker."""
    path = tmp_path_factory.mktemp("long-reference") / "ref.zarr"
    report = run_batch(long_plan, path, settings=ClusterSettings(workers=1), progress=False)
    assert report.complete and report.computed == TOTAL_TASKS
    return path


def test_reference_store_is_complete_and_filled(reference_store, plan):
    mask = read_completed(reference_store)
    assert mask.shape == (2, 4, 1) and mask.all()
    import xarray as xr

    with xr.open_zarr(reference_store) as ds:
        assert np.isfinite(ds["ed_passages"].values).all()
        assert (ds["ed_passages"].values > 0).all()
        # Replications differ (different seeds) while being the same scenario.
        reps = ds["ed_passages"].sel(scenario="corse-ref").values
        assert not np.array_equal(reps[0], reps[1])


def test_two_workers_give_the_same_store_as_one(reference_store, plan, two_workers, tmp_path):
    report = run_batch(plan, tmp_path / "two.zarr", client=two_workers, progress=False)
    assert report.complete and report.computed == TOTAL_TASKS
    assert_same_store(reference_store, tmp_path / "two.zarr")


def test_killed_worker_is_survived_and_the_store_is_identical(
    long_reference, long_plan, two_workers, tmp_path
):
    path = tmp_path / "killed-worker.zarr"
    before = two_workers.run(os.getpid)  # worker address → pid
    result = {}

    def batch():
        result["report"] = run_batch(long_plan, path, client=two_workers, progress=False)

    thread = threading.Thread(target=batch)
    thread.start()
    wait_until(lambda: completed_count(path) >= 1, 120, "a first finished task")
    victim = sorted(before.values())[0]
    os.kill(victim, signal.SIGKILL)
    done_at_kill = completed_count(path)
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert done_at_kill < TOTAL_TASKS, "the batch ended before the kill: make tasks longer"
    assert not psutil.pid_exists(victim) or psutil.Process(victim).status() == "zombie"
    report = result["report"]
    assert report.complete and not report.failed
    assert report.computed == TOTAL_TASKS
    assert_same_store(long_reference, path)


def test_failing_task_is_never_marked_complete_and_resume_computes_only_it(
    reference_store, plan, two_workers, tmp_path
):
    from tests.batch.faulty import fail_variant_replication_2

    path = tmp_path / "failing.zarr"
    report = run_batch(
        plan, path, client=two_workers, progress=False, task_function=fail_variant_replication_2
    )
    assert [k for k, _ in report.failed] == ["twin-corse-rea-moins-50-r2-b94"]
    assert "InjectedFailureError" in report.failed[0][1]
    assert report.computed == TOTAL_TASKS - 1 and not report.complete
    mask = read_completed(path)
    expected = np.ones_like(mask)
    expected[1, 2, 0] = False  # scenario 1 (variant), replication 2, block 0
    np.testing.assert_array_equal(mask, expected)
    import xarray as xr

    with xr.open_zarr(path) as ds:
        assert np.isnan(ds["ed_passages"].values[1, 2]).all()  # nothing written for it
    again = run_batch(plan, path, client=two_workers, resume=True, progress=False)
    assert (again.skipped, again.computed) == (TOTAL_TASKS - 1, 1)
    assert_same_store(reference_store, path)


def _run_cli(args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "twin", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_killed_batch_process_resumes_without_recomputing(
    reference_store, scenario_files, tmp_path
):
    path = tmp_path / "killed-batch.zarr"
    args = ["run", *map(str, scenario_files), "--out", str(path), "--workers", "1", "--quiet"]
    proc = _run_cli(args, start_new_session=True)
    try:
        wait_until(
            lambda: completed_count(path) >= 1 or proc.poll() is not None,
            180,
            "a first finished task of the batch process",
        )
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGKILL)  # the client, its nannies and workers
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    done = read_completed(path)
    finished = int(done.sum())
    assert 1 <= finished < TOTAL_TASKS, "the batch ended before the kill: make tasks longer"
    # Resume through the command line: it must skip exactly the finished tasks.
    resumed = _run_cli([*args, "--resume"])
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    m = re.search(r"\((\d+) calculées, (\d+) déjà faites\)", out)
    assert m, out
    computed, skipped = int(m.group(1)), int(m.group(2))
    assert skipped == finished and computed == TOTAL_TASKS - finished
    assert_same_store(reference_store, path)
