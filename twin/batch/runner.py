"""Run a batch: submit the missing (scenario, replication, block) tasks to Dask and write
each finished task's numbers into the store as soon as it arrives.

The client process is the store's only writer. A task is marked ``completed`` only after its
numbers are written, and never when it raised or lost its worker too many times, so
``--resume`` (which submits only the cells still False) recomputes exactly what is missing.
Each task's result depends only on (resolved scenario, replication, block) — seeds come from
the master seed and the replication, never from the worker or the order — so a store is the
same bit for bit whatever the number of workers, the cluster, the deaths or the restarts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from twin.batch import store as st
from twin.batch.aggregate import department_values
from twin.batch.cluster import ClusterSettings, open_client
from twin.batch.plan import BatchPlan, Task
from twin.batch.progress import Progress
from twin.scenario import replicate

TASK_RETRIES = 1
"""Re-runs of a task that *raised* (a transient I/O error on a shared file system); worker
deaths are counted separately by Dask (``ClusterSettings.allowed_failures``)."""

TaskFunction = Callable[..., tuple[np.ndarray, float]]


def simulate_task(resolved, replication: int, block: tuple[str, ...], dates: pd.DatetimeIndex):
    """The worker side of a task: simulate, reduce to départements, time it.

    Returns ``(values, seconds)``: the ``(variables, départements, days)`` float32 array in
    store order and the seconds the worker spent (for the overhead benchmark).
    """
    t0 = time.perf_counter()
    ds = replicate(resolved, replication, tuple(block))
    values = department_values(ds, tuple(block), dates)
    return values, time.perf_counter() - t0


@dataclass
class BatchReport:
    """What a run of :func:`run_batch` did (``skipped``: already complete before it began)."""

    store: Path
    total: int
    skipped: int = 0
    computed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    wall_seconds: float = 0.0
    compute_seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.skipped + self.computed == self.total

    def summary(self) -> str:
        text = (
            f"{self.store}: {self.skipped + self.computed}/{self.total} tâches terminées "
            f"({self.computed} calculées, {self.skipped} déjà faites"
        )
        if self.failed:
            text += f", {len(self.failed)} en échec"
        return text + f") en {self.wall_seconds:.1f} s"


def run_batch(
    plan: BatchPlan,
    path: Path,
    *,
    settings: ClusterSettings | None = None,
    client=None,
    resume: bool = False,
    progress: bool = True,
    stream: TextIO | None = None,
    task_function: TaskFunction = simulate_task,
) -> BatchReport:
    """Create (or, with ``resume``, continue) the store at ``path`` and compute what is missing.

    ``client`` reuses a connected :class:`distributed.Client` (benchmarks, tests, a
    dashboard); otherwise a cluster is started from ``settings`` and closed at the end.
    Raises :class:`twin.errors.DataError` when ``path`` already holds a store and ``resume``
    is False, or holds another batch's store.
    """
    path = Path(path)
    t0 = time.monotonic()
    if resume and path.exists():
        st.check_resumable(plan, path)
    else:
        st.create(plan, path)
    completed = st.read_completed(path)
    missing = plan.missing(completed)
    report = BatchReport(store=path, total=len(plan.tasks()))
    report.skipped = report.total - len(missing)
    if missing:
        bar = Progress(report.total, report.skipped, stream=stream, enabled=progress)
        try:
            if client is not None:
                _compute(plan, path, missing, client, task_function, report, bar)
            else:
                settings = settings or ClusterSettings()
                logs = path.parent / f"{path.name}.slurm-logs"
                with open_client(settings, logs if settings.kind == "slurm" else None) as c:
                    _compute(plan, path, missing, c, task_function, report, bar)
        finally:
            bar.close()
    report.wall_seconds = time.monotonic() - t0
    return report


def _compute(plan, path, missing, client, task_function, report, bar) -> None:
    # Deferred: distributed (~1 s to import) is needed only while a batch runs, not to read stores.
    from distributed import as_completed

    writer = st.StoreWriter(plan, path)
    by_key: dict[str, Task] = {}
    futures = []
    for task in missing:
        key = task.key(plan)
        by_key[key] = task
        futures.append(
            client.submit(
                task_function,
                plan.scenarios[task.scenario_index],
                task.replication,
                plan.blocks[task.block_index],
                plan.dates,
                key=key,
                pure=False,
                retries=TASK_RETRIES,
            )
        )
    try:
        for future in as_completed(futures):
            task = by_key[future.key]
            if future.status == "finished":
                values, seconds = future.result()
                writer.write(task, values)
                report.computed += 1
                report.compute_seconds += seconds
                bar.update(ok=True)
            else:
                exc = future.exception()
                report.failed.append((future.key, f"{type(exc).__name__}: {exc}"))
                bar.update(ok=False)
            future.release()
    except BaseException:
        client.cancel([f for f in futures if not f.done()])
        raise


def print_failures(report: BatchReport, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    for key, message in report.failed:
        print(f"error: task {key} failed: {message}", file=stream)
    if report.failed:
        print(
            f"error: {len(report.failed)} task(s) failed and stay incomplete in {report.store}; "
            "fix the cause and rerun with --resume to compute only them",
            file=stream,
        )
