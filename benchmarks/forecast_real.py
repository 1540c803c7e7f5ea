"""Forecasts scored on the REAL régional ED series: accuracy, 80 % coverage and cost per engine.

Run from the repository root::

    .venv/bin/python benchmarks/forecast_real.py                  # 18 régions + France
    .venv/bin/python benchmarks/forecast_real.py --regions 32 02 --methods autoets naive

Data: the real Santé publique France régional files embedded in ``data/real/sursaud/``
(OSCOUR daily all-cause ED passages, all ages, 2020-02-24 → 2022-02-05 and 2022-12-26 →
2024-06-30), read by :func:`twin.sources.sursaud_regional.load_ed_daily_regional` and turned
into series by :func:`forecasting.demand.regional_ed_series`: Martinique's empty days and
provisional days are missing (never zero), France is the sum of the 18 régions on complete
days, and every engine uses only what follows the 2022 gap (see ``docs/howto-forecast.md``).

For each method, timed on its own on one LocalCluster of ``--workers`` single-threaded
processes (cluster start-up excluded, printed as ``cluster_seconds``): reading the files,
then in one Dask submission (one series per task) the production forecast of the next 28
days for the 18 régions and France (reconciled bottom-up) and the rolling-origin backtest of
that method on every series, France included, at every origin from ``--start`` to ``--end``
(default every 28 days, 2023-07-01 → 2024-05-31: 12 origins), horizons 1-28 days, each from
the data strictly before its origin (:func:`forecasting.engine.forecast_series`, the
production code path). The backtests of all methods are then scored together on the same
cells (:func:`forecasting.backtest.metrics_table`).

Figures per method: ``mase_h1_7``, ``mase_h8_28`` (MASE, scale = in-sample MAE of the weekday
naive before each origin), ``rel_mae_vs_weekday_naive_h1_7`` (summed absolute errors over
the weekday naive's on the same cells), ``coverage80_h1_7`` (share of actual days inside the
80 % interval), ``wall_seconds`` (read + forecast + backtest), ``fallbacks`` (forecasts made
by a simpler method because the history was too short; the seasonal naive needs 392 days,
so it is the weekday naive at the 2023 origins). ``since_2024`` repeats the relative MAE on
the origins from 2024-01-01 only, where every région has a year of history after the gap and
the seasonal naive is itself. Targets for the default engine:
``rel_mae_vs_weekday_naive_h1_7`` <= 0.80, ``coverage80_h1_7`` in 0.75-0.85,
``wall_seconds`` <= 60 on 2 cores. The last output line is one JSON object.
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

from forecasting.defaults import DEFAULT_ENGINE, METHODS

TARGET_WALL_SECONDS = 60.0
TARGET_REL_MAE = 0.80
TARGET_COVERAGE = (0.75, 0.85)
BANDS = ((1, 7), (8, 28), (1, 28))


def _load_average() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return float("nan")


def _subset(r, keep):
    """The same backtest restricted to the origins where ``keep`` is true."""
    from forecasting.backtest import SeriesBacktest

    return SeriesBacktest(r.name, r.methods, r.origins[keep], r.actual[keep],
                          r.point[:, keep], r.quantiles[:, keep], r.total_actual[keep],
                          r.total_quantiles[:, keep], r.scale[keep], r.used[:, keep])


def _run_method(method: str, source, regions, origins, client, seed):
    """Read + forecast + backtest with one method; returns (backtests, seconds, ds)."""
    from forecasting.demand import forecast_and_backtest_regional, load_regional_specs

    t0 = time.perf_counter()
    bottom, aggregates, parents, desc = load_regional_specs(regions, source)
    ds, backtests = forecast_and_backtest_regional(
        bottom, aggregates, parents, method=method, horizon=28,
        backtest_methods={method: origins}, seed=seed, client=client, source=desc)
    return backtests, time.perf_counter() - t0, ds


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", default=None, help="default: all 18 + France")
    parser.add_argument("--start", default="2023-07-01", help="first backtest origin")
    parser.add_argument("--end", default="2024-05-31", help="last backtest origin")
    parser.add_argument("--every", type=int, default=28, help="days between origins")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--data", default=None,
                        help="a real régional file or folder (default: data/real/sursaud/)")
    args = parser.parse_args(argv)

    import warnings

    import numpy as np
    import pandas as pd

    from forecasting.backtest import merge_backtests, metrics_table, rolling_origins
    from forecasting.engine import DEFAULT_SEED, ShortSeriesWarning
    from forecasting.parallel import local_client
    from forecasting.run import format_metrics

    methods = list(dict.fromkeys(["naive", *args.methods]))  # the reference is always scored
    seed = DEFAULT_SEED if args.seed is None else args.seed
    origins = rolling_origins(args.start, args.end, args.every)
    figures: dict[str, object] = {
        "benchmark": "forecast_real", "data": "real (OSCOUR, Santé publique France)",
        "first_origin": origins[0], "last_origin": origins[-1], "horizon_days": 28,
        "seed": seed, "workers": args.workers, "cpus": os.cpu_count(),
        "python": platform.python_version(), "load_average_before": _load_average(),
        "default_engine": DEFAULT_ENGINE,
    }
    t0 = time.perf_counter()
    runs: dict[str, tuple] = {}
    with local_client(args.workers) as client:
        figures["cluster_seconds"] = round(time.perf_counter() - t0, 1)
        for m in methods:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ShortSeriesWarning)  # counted in "fallbacks"
                runs[m] = _run_method(m, args.data, args.regions, origins, client, seed)
            print(f"{m}: {runs[m][1]:.1f} s", flush=True)
    figures["load_average_after"] = _load_average()
    names = [r.name for r in runs[methods[0]][0]]
    by_name = {m: {r.name: r for r in runs[m][0]} for m in methods}
    merged = [merge_backtests([by_name[m][n] for m in methods]) for n in names]
    table = metrics_table(merged, horizons=(1, 7, 28), bands=BANDS)
    figures["regions"] = sum(1 for n in names if n.startswith("ed/reg:"))
    figures["france"] = "ed/FR" in names
    figures["origins"] = int(merged[0].origins.size)
    with pd.option_context("display.width", 120):
        print(format_metrics(table, len(merged), figures["origins"]))
    late = [_subset(r, r.origins >= np.datetime64("2024-01-01")) for r in merged]
    late_table = metrics_table(late, horizons=(), bands=BANDS)
    per_method: dict[str, dict[str, object]] = {}
    for m in methods:
        row = table[table["method"] == m].set_index("horizon")
        k = list(merged[0].methods).index(m)
        fell = sum(int(((r.used[k] != m) & (r.used[k] != "")).sum()) for r in merged)
        per_method[m] = {
            "mase_h1_7": round(float(row.loc["1-7", "mase"]), 4),
            "mase_h8_28": round(float(row.loc["8-28", "mase"]), 4),
            "rel_mae_vs_weekday_naive_h1_7": round(float(row.loc["1-7", "rel_mae_vs_naive"]),
                                                   4),
            "rel_mae_vs_weekday_naive_h8_28": round(
                float(row.loc["8-28", "rel_mae_vs_naive"]), 4),
            "coverage80_h1_7": round(float(row.loc["1-7", "coverage_80"]), 4),
            "coverage80_h8_28": round(float(row.loc["8-28", "coverage_80"]), 4),
            "coverage95_h1_7": round(float(row.loc["1-7", "coverage_95"]), 4),
            "since_2024_rel_mae_h1_7": round(float(late_table[
                (late_table["method"] == m) & (late_table["horizon"] == "1-7")
            ]["rel_mae_vs_naive"].iloc[0]), 4),
            "since_2024_rel_mae_h8_28": round(float(late_table[
                (late_table["method"] == m) & (late_table["horizon"] == "8-28")
            ]["rel_mae_vs_naive"].iloc[0]), 4),
            "wall_seconds": round(runs[m][1], 1),
            "fallbacks": fell,
        }
    figures["origins_since_2024"] = int(late[0].origins.size)
    figures["methods"] = per_method
    d = per_method.get(DEFAULT_ENGINE)
    if d is not None:
        figures["default_targets_met"] = {
            "rel_mae": bool(d["rel_mae_vs_weekday_naive_h1_7"] <= TARGET_REL_MAE),
            "coverage80": bool(TARGET_COVERAGE[0] <= d["coverage80_h1_7"]
                               <= TARGET_COVERAGE[1]),
            "wall": bool(d["wall_seconds"] <= TARGET_WALL_SECONDS),
        }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
