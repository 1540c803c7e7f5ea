"""Fixtures of the batch tests: a tiny Corse batch (2 scenarios × 4 replications × 1 block),
its reference store computed once with one worker, a two-worker cluster shared by the
reliability tests, and a real single-node SLURM cluster (tests/setup_slurm.sh).

SLURM choice: ``tests/setup_slurm.sh`` (run by ``make test`` through setup_system.sh, and
again here — it is idempotent) installs, configures and starts the daemons and leaves them
running; the ``slurm`` fixture checks ``sinfo`` shows the node ready and, at the end of the
session, stops the daemons (``setup_slurm.sh stop``, by their pid files).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

REPO = Path(__file__).resolve().parents[2]
SETUP_SLURM = REPO / "tests" / "setup_slurm.sh"
SLURM_DIR = Path(os.environ.get("TWIN_SLURM_DIR", "/var/tmp/twin-slurm"))

BASELINE = """\
name: corse-ref
description: Référence Corse pour les tests du lanceur de lots.
territories:
  regions: ["94"]
period:
  start: 2024-01-08
  days: 6
  warmup_days: 1
replications: 4
seed: 11
"""
VARIANT = """\
name: corse-rea-moins-50
extends: corse-ref
description: Réanimation de Corse réduite de moitié dès le 9 janvier.
interventions:
  - id: rea
    type: capacity_change
    resource: icu
    change: -50%
    window:
      start: 2024-01-09
"""
TOTAL_TASKS = 8  # 2 scenarios × 4 replications × 1 block (région 94)


@pytest.fixture(scope="session")
def scenario_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    base = folder / "corse-ref.yaml"
    variant = folder / "corse-rea-moins-50.yaml"
    base.write_text(textwrap.dedent(BASELINE), encoding="utf-8")
    variant.write_text(textwrap.dedent(VARIANT), encoding="utf-8")
    return base, variant


@pytest.fixture(scope="session")
def plan(scenario_files):
    from twin.batch import prepare

    return prepare(scenario_files)


@pytest.fixture(scope="session")
def reference_store(plan, tmp_path_factory) -> Path:
    """The undisturbed run: one local worker."""
    from twin.batch import ClusterSettings, run_batch

    path = tmp_path_factory.mktemp("reference") / "ref.zarr"
    report = run_batch(plan, path, settings=ClusterSettings(workers=1), progress=False)
    assert report.complete and report.computed == TOTAL_TASKS
    return path


@pytest.fixture(scope="session")
def two_workers():
    """A local cluster of two worker processes shared by the reliability tests."""
    from distributed import Client

    from twin.batch.cluster import ClusterSettings, open_client

    with open_client(ClusterSettings(workers=2)) as client:
        assert isinstance(client, Client)
        client.wait_for_workers(2, timeout=120)
        yield client


@pytest.fixture(scope="session")
def slurm():
    """A running single-node SLURM (started by tests/setup_slurm.sh), stopped at the end."""
    if os.geteuid() != 0 and shutil.which("sudo") is None:
        pytest.skip("installing SLURM needs root or sudo")
    run = subprocess.run(["bash", str(SETUP_SLURM)], capture_output=True, text=True)
    assert run.returncode == 0, f"setup_slurm.sh failed:\n{run.stdout}\n{run.stderr}"
    os.environ["SLURM_CONF"] = str(SLURM_DIR / "slurm.conf")
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    assert state.stdout.strip().startswith(("idle", "mixed")), state.stdout + state.stderr
    yield SLURM_DIR
    subprocess.run(["bash", str(SETUP_SLURM), "stop"], capture_output=True, text=True)


# --------------------------------------------------------------------------- helpers


def assert_same_store(a: Path, b: Path) -> None:
    """Bit-identical results: every coordinate and variable, and every attribute except
    ``created`` (when the store was begun) — versions and git revision included."""
    with xr.open_zarr(a) as x, xr.open_zarr(b) as y:
        assert set(x.variables) == set(y.variables)
        for name in x.variables:
            u, v = x[name].values, y[name].values
            assert u.dtype == v.dtype, name
            assert u.shape == v.shape, name
            assert u.tobytes() == v.tobytes(), f"{name} differs"
            assert x[name].attrs == y[name].attrs, name
        ax = {k: v for k, v in x.attrs.items() if k != "created"}
        ay = {k: v for k, v in y.attrs.items() if k != "created"}
        assert ax == ay


def completed_count(path: Path) -> int:
    from twin.batch.store import read_completed

    try:
        return int(read_completed(path).sum())
    except Exception:  # the store is not there yet
        return -1


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll an observable condition (no fixed sleeps): fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def store_bytes(path: Path) -> dict[str, bytes]:
    """Every file of a store and its content (to prove a store was left untouched)."""
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p.relative_to(path)): p.read_bytes() for p in files}


def finite_fraction(values: np.ndarray) -> float:
    return float(np.isfinite(values).mean())
