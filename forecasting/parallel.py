"""One series per task: the unit of work and how it is spread over Dask workers.

:func:`run_series` does everything one series needs (the production forecast and its
rolling-origin backtest) in one task, so a task ships a few kilobytes of data and returns
a few kilobytes of arrays, and Prophet is fitted where the data already is.

:func:`run_all` runs the tasks in-process when ``client`` is ``None`` (tests, the scenario
API, small runs) or on a Dask cluster. Results do not depend on the number of workers:
every forecast is seeded from its own (method, series, origin) names inside the task (see
:mod:`forecasting.engine`), and the outcomes are returned in the order of the input series.
Tasks are submitted with ``pure=False`` and readable unique keys (``forecast-<run>-<series>``)
so two identical submissions are never collapsed into one.

:func:`local_client` builds the cluster the CLI and the benchmark use: processes (Prophet
and statsmodels hold the GIL), one thread per worker, dashboard on a random local port.
Workers start with ``spawn``, so it must only be called under ``if __name__ == "__main__"``
(the ``twin`` console script and ``benchmarks/forecast.py`` both are).
"""

from __future__ import annotations

import logging
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from forecasting.backtest import SeriesBacktest, backtest_series
from forecasting.engine import (
    DEFAULT_SEED,
    Forecast,
    ShortSeriesWarning,
    fallback_message,
    forecast_series,
)
from forecasting.series import SeriesSpec

if TYPE_CHECKING:
    from distributed import Client


@dataclass(frozen=True)
class Plan:
    """What to compute for each series.

    ``origin=None`` means "the step after the last observation". ``backtest`` maps each
    method to the origins it is backtested at (empty: no backtest).
    """

    method: str = "prophet"
    horizon: int = 28
    origin: str | None = None
    produce: bool = True
    backtest: tuple[tuple[str, tuple[str, ...]], ...] = ()
    backtest_horizon: int = 28
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Outcome:
    """Result of :func:`run_series` for one series."""

    name: str
    forecast: Forecast | None
    backtest: SeriesBacktest | None
    seconds: float
    notes: tuple[str, ...] = field(default=())


def run_series(spec: SeriesSpec, plan: Plan) -> Outcome:
    """The Dask task: forecast and/or backtest one series (pure: no I/O, no global state)."""
    t0 = time.perf_counter()
    fc = None
    notes: list[str] = []
    if plan.produce:
        fc = forecast_series(spec, plan.method, plan.horizon, plan.origin, plan.seed,
                             warn=False)
        if fc.fell_back:
            notes.append(fallback_message(fc))
    bt = None
    if plan.backtest:
        bt = backtest_series(spec, (), plan.backtest_horizon, dict(plan.backtest), plan.seed)
        fell = [(m, str(o)) for i, m in enumerate(bt.methods) for o, u in
                zip(bt.origins, bt.used[i], strict=True) if u and u != m]
        if fell:
            notes.append(f"series {spec.name}: {len(fell)} backtest forecast(s) fell back to "
                         f"a simpler method (first: {fell[0][0]} at {fell[0][1]})")
    return Outcome(spec.name, fc, bt, time.perf_counter() - t0, tuple(notes))


def run_all(specs: Sequence[SeriesSpec], plan: Plan | Sequence[Plan],
            client: Client | None = None, warn: bool = True) -> list[Outcome]:
    """Run :func:`run_series` for every series, in order; re-emit fallback warnings here.

    ``plan`` is one plan for all series or one per series (e.g. backtest the départements
    but only forecast the régional totals, in a single submission that keeps every worker
    busy).
    """
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("series names must be unique (they seed the random streams)")
    plans = [plan] * len(specs) if isinstance(plan, Plan) else list(plan)
    if len(plans) != len(specs):
        raise ValueError(f"{len(plans)} plans for {len(specs)} series")
    if client is None:
        outcomes = [run_series(s, p) for s, p in zip(specs, plans, strict=True)]
    else:
        run = uuid.uuid4().hex[:8]
        keys = [f"forecast-{run}-{n}" for n in names]
        futures = client.map(run_series, list(specs), plans, key=keys, pure=False)
        outcomes = client.gather(futures)
    if warn:
        for o in outcomes:
            for note in o.notes:
                warnings.warn(note, ShortSeriesWarning, stacklevel=2)
    return list(outcomes)


@contextmanager
def local_client(workers: int) -> Iterator[Client]:
    """A LocalCluster of ``workers`` single-threaded processes and its client (CLI only)."""
    # Deferred: Dask's distributed scheduler loads only when a cluster is asked for.
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                     dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster,
        Client(cluster) as client,
    ):
        yield client
