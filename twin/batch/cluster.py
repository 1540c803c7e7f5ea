"""Where a batch's tasks run: a local Dask cluster, or SLURM jobs through dask-jobqueue.

* ``local`` — :class:`distributed.LocalCluster` with worker *processes* of one thread each
  (the simulation holds the GIL, so threads would not run in parallel), the scheduler and
  dashboard bound to 127.0.0.1 (dashboard on a free port).
* ``slurm`` — :class:`dask_jobqueue.SLURMCluster`, one worker per job by default. Settings
  not given in the manifest come from the Dask configuration (``jobqueue.slurm`` in
  ``~/.config/dask/jobqueue.yaml`` or ``DASK_JOBQUEUE__SLURM__*`` variables), so a site can
  keep its account and queue there. A worker ``lifetime`` makes workers retire before the
  job's walltime (staggered, so they do not all leave at once); the cluster then adapts to
  replace them and their tasks move to the others.

Worker deaths are survived by Dask itself: a task running on a worker that dies is
rescheduled on another (up to ``allowed_failures`` deaths per task).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import dask
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from distributed import Client


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlurmSettings(_Strict):
    """SLURM job settings (``None`` → the Dask configuration's ``jobqueue.slurm`` value)."""

    account: str | None = Field(None, description="SLURM account (sbatch -A).")
    queue: str | None = Field(None, description="Partition (sbatch -p).")
    walltime: str | None = Field(
        None, pattern=r"^(\d+-)?\d{1,2}:\d{2}(:\d{2})?$", description="Job time limit, HH:MM:SS."
    )
    memory: str | None = Field(
        None, pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$", description='Memory per job, e.g. "4GB".'
    )
    cores: int | None = Field(None, ge=1, description="Cores per job (one worker thread each).")
    processes: int = Field(1, ge=1, description="Worker processes per job.")
    prologue: tuple[str, ...] = Field(
        (), description="Shell lines run before the worker starts (module load, venv...)."
    )
    lifetime: str | None = Field(
        None, pattern=r"^\d+[smh]$", description='Worker lifetime, e.g. "55m" (< walltime).'
    )
    lifetime_stagger: str | None = Field(
        None, pattern=r"^\d+[smh]$", description="Random spread of lifetimes, e.g. 4m."
    )
    job_extra_directives: tuple[str, ...] = Field(
        (), description='Extra #SBATCH lines, e.g. "--qos=normal".'
    )
    scheduler_host: str | None = Field(
        None,
        description="Address the scheduler listens on (must be reachable from the compute "
        "nodes; 127.0.0.1 only for a single-node cluster). Default: the Dask config.",
    )
    log_directory: str | None = Field(None, description="Folder for the jobs' output files.")


class ClusterSettings(_Strict):
    """Where to run: ``kind`` local or slurm, and how many workers."""

    kind: Literal["local", "slurm"] = Field("local", description="local or slurm.")
    workers: int = Field(2, ge=1, le=10_000, description="Worker processes (SLURM: jobs).")
    allowed_failures: int = Field(
        3, ge=0, description="Worker deaths a task may suffer before it is marked failed."
    )
    slurm: SlurmSettings = Field(default_factory=SlurmSettings)


def slurm_kwargs(s: SlurmSettings, log_directory: Path | None = None) -> dict:
    """Keyword arguments of :class:`dask_jobqueue.SLURMCluster` for these settings."""
    conf = dask.config.get("jobqueue.slurm", default={}) or {}
    kw: dict = {
        "processes": s.processes,
        "python": sys.executable,
        # The dashboard is never exposed beyond this machine.
        "scheduler_options": {"dashboard_address": "127.0.0.1:0"},
    }
    for key, value in (
        ("account", s.account),
        ("queue", s.queue),
        ("walltime", s.walltime),
        ("memory", s.memory),
        ("cores", s.cores),
    ):
        if value is not None:
            kw[key] = value
    kw.setdefault("cores", conf.get("cores") or s.processes)
    kw.setdefault("memory", conf.get("memory") or "2GB")
    if s.prologue:
        kw["job_script_prologue"] = list(s.prologue)
    if s.job_extra_directives:
        kw["job_extra_directives"] = list(s.job_extra_directives)
    if s.lifetime:
        extra = ["--lifetime", s.lifetime]
        if s.lifetime_stagger:
            extra += ["--lifetime-stagger", s.lifetime_stagger]
        kw["worker_extra_args"] = extra
    if s.scheduler_host:
        kw["scheduler_options"]["host"] = s.scheduler_host
    log_dir = s.log_directory or (str(log_directory) if log_directory else None)
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        kw["log_directory"] = log_dir
    return kw


@contextlib.contextmanager
def open_client(settings: ClusterSettings, log_directory: Path | None = None) -> Iterator[Client]:
    """A connected :class:`distributed.Client` on a new cluster, closed on exit."""
    # Deferred: distributed (~1 s to import) only when a cluster is started, not to read settings.
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": settings.allowed_failures}):
        if settings.kind == "local":
            cluster = LocalCluster(
                n_workers=settings.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
        else:
            # Deferred: dask_jobqueue is needed only on SLURM sites.
            from dask_jobqueue import SLURMCluster

            cluster = SLURMCluster(**slurm_kwargs(settings.slurm, log_directory))
            if settings.slurm.lifetime:
                # Retiring workers are replaced: keep the number of jobs steady.
                cluster.adapt(minimum_jobs=settings.workers, maximum_jobs=settings.workers)
            else:
                cluster.scale(jobs=settings.workers)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
