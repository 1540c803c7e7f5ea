"""The batch results store on disk: template, region writes, ``completed`` mask, provenance.

Format: ``docs/reference-outputs.md``, section « The results store » (one zarr store per
batch, zarr format 2 with consolidated metadata so that a plain ``xarray.open_zarr(path)``
reads it without warnings; chunks ``(1, 1, all départements, all days)`` per variable).

Safety rules this module enforces:

* the template is written to a temporary sibling path and renamed into place, and only when
  nothing is there yet: an existing store (good or half-done) is never replaced;
* a task's numbers are written before its ``completed`` cell is set, so a process killed
  between the two leaves the task incomplete (recomputed on resume), never marked done
  with missing numbers; zarr's local store writes each chunk atomically (temp + rename);
* one process (the batch's client) writes: no locks needed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import dask.array as da
import numpy as np
import xarray as xr
import zarr

from twin.batch.plan import BatchPlan, Task
from twin.batch.variables import STORE_VARIABLES, VARIABLE_NAMES, store_attrs
from twin.errors import DataError
from twin.geography import departements

FORMAT_VERSION = 1
ZARR_FORMAT = 2
PACKAGES = (
    "jumeau-sante",
    "numpy",
    "pandas",
    "xarray",
    "zarr",
    "dask",
    "distributed",
    "dask-jobqueue",
    "simpy",
    "mesa",
    "pydantic",
)
IDENTITY_ATTRS = ("baseline", "scenarios", "run_table", "seed_entropy", "twin_format_version")
"""Attributes that must match for ``--resume`` to continue a store (the batch's identity);
``created``, ``versions`` and ``git_revision`` describe when and with what it was begun."""


def git_revision() -> str:
    """``git rev-parse HEAD`` of the repository holding this package, else ``"unknown"``."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    rev = out.stdout.strip()
    return rev if out.returncode == 0 and rev else "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def identity_attrs(plan: BatchPlan) -> dict[str, str | int]:
    """What the batch is: resolved scenarios, run tables, seeds (JSON strings)."""
    return {
        "baseline": plan.baseline,
        "scenarios": json.dumps(
            {s.name: s.model_dump(mode="json") for s in plan.scenarios}, ensure_ascii=False
        ),
        "run_table": json.dumps(
            {s.name: [dict(row) for row in s.run_table] for s in plan.scenarios},
            ensure_ascii=False,
        ),
        "seed_entropy": json.dumps({s.name: str(s.master_seed) for s in plan.scenarios}),
        "twin_format_version": FORMAT_VERSION,
    }


def template(plan: BatchPlan) -> xr.Dataset:
    """The empty store as a lazy Dataset (NaN everywhere, ``completed`` all False)."""
    info = departements()
    shape = (len(plan.scenarios), plan.replications, len(plan.deps), len(plan.dates))
    chunks = (1, 1, len(plan.deps), len(plan.dates))
    dims = ("scenario", "replication", "dep", "date")
    data_vars = {}
    for v in STORE_VARIABLES:
        arr = da.full(shape, np.nan, dtype=np.float32, chunks=chunks)
        data_vars[v.name] = xr.Variable(
            dims,
            arr,
            attrs=store_attrs(v),
        )
    completed = np.zeros((len(plan.scenarios), plan.replications, len(plan.blocks)), bool)
    data_vars["completed"] = xr.Variable(
        ("scenario", "replication", "block"),
        completed,
        attrs={
            "units": "1",
            "description": "True once the task's numbers are fully written",
            "long_name_fr": "Tâche terminée",
        },
    )
    ds = xr.Dataset(
        data_vars,
        coords={
            "scenario": list(plan.scenario_names),
            "replication": np.arange(plan.replications, dtype=np.int64),
            "dep": list(plan.deps),
            "reg": ("dep", [str(info.loc[d, "reg"]) for d in plan.deps]),
            "dep_name": ("dep", [str(info.loc[d, "nom"]) for d in plan.deps]),
            "date": plan.dates.values.astype("datetime64[ns]"),
            "block": list(plan.block_names),
        },
    )
    ds.attrs.update(identity_attrs(plan))
    ds.attrs.update(
        {
            "versions": json.dumps(package_versions()),
            "git_revision": git_revision(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return ds


def _encoding(plan: BatchPlan) -> dict:
    chunks = (1, 1, len(plan.deps), len(plan.dates))
    enc = {v: {"chunks": chunks, "_FillValue": np.nan, "dtype": "float32"} for v in VARIABLE_NAMES}
    enc["completed"] = {"chunks": (1, plan.replications, len(plan.blocks))}
    return enc


def create(plan: BatchPlan, path: Path) -> None:
    """Write the template at ``path`` (which must not exist) via a temporary sibling."""
    path = Path(path)
    if path.exists():
        raise DataError.single(
            path,
            "a path where no results store exists yet (or --resume to complete it)",
            "an existing " + ("store" if is_store(path) else "file or folder"),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        template(plan).to_zarr(
            tmp,
            mode="w-",
            compute=False,
            consolidated=True,
            zarr_format=ZARR_FORMAT,
            encoding=_encoding(plan),
        )
        try:
            # rename() onto an existing directory would fail on Linux only if it is
            # non-empty: check again so a store created meanwhile is never replaced.
            if path.exists():
                raise DataError.single(
                    path,
                    "a path where no results store exists yet",
                    "a store created by another process meanwhile",
                )
            os.rename(tmp, path)
        except OSError as exc:
            raise DataError.single(path, "a writable path", str(exc)) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def is_store(path: Path) -> bool:
    return (Path(path) / ".zgroup").is_file() or (Path(path) / "zarr.json").is_file()


def check_resumable(plan: BatchPlan, path: Path) -> None:
    """Refuse to resume a store made by another batch (other scenarios, seeds, replications,
    territory or days), naming the first attribute or dimension that differs."""
    path = Path(path)
    if not is_store(path):
        raise DataError.single(path, "a results store to resume", "no zarr store there")
    g = zarr.open_group(str(path), mode="r")
    have = dict(g.attrs)
    want = identity_attrs(plan)
    for key in IDENTITY_ATTRS:
        if have.get(key) != want[key]:
            raise DataError.single(
                path,
                f"a store of the same batch (attribute {key!r} = {_short(want[key])})",
                _short(have.get(key)),
                None,
                key,
            )
    with xr.open_zarr(path) as ds:
        for dim, values in (
            ("dep", list(plan.deps)),
            ("block", list(plan.block_names)),
            ("date", list(plan.dates.values.astype("datetime64[ns]"))),
        ):
            if list(ds[dim].values) != values:
                raise DataError.single(path, f"the batch's {dim} values", "other values", None, dim)


def _short(value: object, n: int = 80) -> str:
    s = str(value)
    return s if len(s) <= n else s[: n - 3] + "..."


def read_completed(path: Path) -> np.ndarray:
    """The ``completed[scenario, replication, block]`` mask as a NumPy bool array."""
    return np.asarray(zarr.open_group(str(path), mode="r")["completed"][...], dtype=bool)


class StoreWriter:
    """The single writer of a store: one call per finished task."""

    def __init__(self, plan: BatchPlan, path: Path):
        self.plan = plan
        self.group = zarr.open_group(str(path), mode="r+")
        self.arrays = [self.group[name] for name in VARIABLE_NAMES]
        self.completed = self.group["completed"]

    def write(self, task: Task, values: np.ndarray) -> None:
        """Write the task's ``(variables, départements, days)`` values, then mark it done."""
        expected = (
            len(VARIABLE_NAMES),
            len(self.plan.blocks[task.block_index]),
            len(self.plan.dates),
        )
        if values.shape != expected:
            raise ValueError(f"task {task} returned shape {values.shape}, expected {expected}")
        deps = self.plan.dep_slice(task.block_index)
        for arr, v in zip(self.arrays, values, strict=True):
            arr[task.scenario_index, task.replication, deps, :] = v
        self.completed[task.scenario_index, task.replication, task.block_index] = True
