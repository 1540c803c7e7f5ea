"""Backtest skill of the ED demand forecasts: Prophet against the simple baselines.

Run from the repository root::

    .venv/bin/python benchmarks/forecast_backtest.py                       # 4 deps, 2 years
    .venv/bin/python benchmarks/forecast_backtest.py --deps 59 2A --workers 1   # quick look

What it does: the rolling-origin backtest of :func:`forecasting.demand.backtest_ed` on the
embedded SurSaUD SYNTHETIC replica (daily all-cause ED passages, all ages) of a few
départements of contrasted size, every method of :data:`forecasting.engine.METHODS` at every
origin — the Prophet + AutoETS ensemble (the default engine), Prophet, ETS(A,Ad,A) and
AutoETS on ``log1p``, the weekday naive (same weekday last week) and the seasonal naive (same
weekday 52 weeks earlier) — each origin forecasting the next 28 days from the data strictly
before it. The real régional counterpart is ``benchmarks/forecast_real.py``. One series
per Dask task on a local cluster (``--workers`` processes).

Printed: the metrics table (:func:`forecasting.backtest.metrics_table`, pooled over
départements and origins, scored on the same cells for all methods) — MASE (scale: in-sample
MAE of the weekday naive over the last 3 years before the origin), MAE relative to the
weekday naive on the same cells, sMAPE, empirical coverage of the 80 % and 95 % intervals —
at horizons 1, 7 and 28 days and the 1-7 band. The last line is one JSON object with those
figures named ``<method>_<metric>_h<horizon>`` plus the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DEPS = ("59", "13", "35", "48")
METRICS = ("mase", "rel_mae_vs_naive", "smape", "coverage_80", "coverage_95")
HORIZONS = ("1", "7", "28", "1-7")


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deps", nargs="+", default=list(DEFAULT_DEPS))
    parser.add_argument("--start", default="2023-01-01", help="first origin")
    parser.add_argument("--end", default="2024-12-03", help="last origin")
    parser.add_argument("--every", type=int, default=28, help="days between origins")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    import pandas as pd

    from forecasting.backtest import metrics_table, rolling_origins
    from forecasting.demand import backtest_ed
    from forecasting.engine import DEFAULT_SEED, METHODS
    from forecasting.parallel import local_client
    from forecasting.run import format_metrics

    seed = DEFAULT_SEED if args.seed is None else args.seed
    origins = rolling_origins(args.start, args.end, args.every)
    t0 = time.perf_counter()
    if args.workers > 1:
        with local_client(args.workers) as client:
            results = backtest_ed(args.deps, methods=METHODS, origins=origins, horizon=28,
                                  seed=seed, client=client)
    else:
        results = backtest_ed(args.deps, methods=METHODS, origins=origins, horizon=28,
                              seed=seed)
    wall = time.perf_counter() - t0
    table = metrics_table(results)
    n_origins = int(results[0].origins.size)
    with pd.option_context("display.width", 120):
        print(format_metrics(table, len(results), n_origins))
    fell = sum(1 for r in results for i, m in enumerate(r.methods) for u in r.used[i]
               if u and u != m)
    figures: dict[str, object] = {
        "benchmark": "forecast_backtest",
        "deps": ",".join(args.deps),
        "origins": n_origins,
        "first_origin": str(results[0].origins[0]),
        "last_origin": str(results[0].origins[-1]),
        "horizon_days": 28,
        "seed": seed,
        "fallbacks": fell,
        "wall_seconds": round(wall, 1),
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    for _, row in table.iterrows():
        if row["horizon"] not in HORIZONS:
            continue
        label = row["horizon"].replace("-", "_")
        for metric in METRICS:
            figures[f"{row['method']}_{metric}_h{label}"] = round(float(row[metric]), 4)
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
