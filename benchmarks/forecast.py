"""National ED forecast run with its backtest: wall time on 2 cores and skill vs baselines.

Run from the repository root::

    .venv/bin/python benchmarks/forecast.py                  # 101 départements, ~5 min
    .venv/bin/python benchmarks/forecast.py --deps 59 62 --engines prophet   # quick look

What it measures, for each engine (by default the default engine — the Prophet + AutoETS
ensemble chosen on the real régional backtest, ``benchmarks/forecast_real.py`` — then
AutoETS alone, its fast half), side by side in one run, on the SYNTHETIC département
replica (no real daily file by département exists after April 2020):

1. read the embedded SurSaUD file (101 départements, 2019-2024, all ages);
2. in one Dask submission, one task per series on a LocalCluster of ``--workers`` processes:
   the production forecast (next 28 days after the data) of the 101 départements and of the
   18 régions and France (reconciled bottom-up), and for every département the rolling-origin
   backtest of the engine and of the two naive baselines — same weekday last week (weekday
   naive) and same weekday 52 weeks earlier (seasonal naive) — at every origin from
   ``--start`` to ``--end`` (default: every 28 days over 2024, 13 origins whose 28 days
   are all observed: one year of forecasts), each from the data strictly before it;
3. the metrics (:func:`forecasting.backtest.metrics_table`, pooled over départements and
   origins on the cells where every method ran).

``wall_seconds`` is steps 1-3 for the default engine, cluster start-up excluded (printed as
``cluster_seconds``); ``<engine>_wall_seconds`` the same for another engine (the file is
read once, cold, and its time ``load_seconds`` counted in each). ``mase_vs_weekday_naive``
is the engine's MASE over horizons 1-7 divided by the weekday naive's on the same cells
(< 1: better than the naive). Targets (issue 5): ``wall_seconds`` <= 60 on 2 cores,
``mase_vs_weekday_naive`` < 0.9. The last output line is one JSON object.
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

from forecasting.demand import DEFAULT_ENGINE

TARGET_WALL_SECONDS = 60.0
TARGET_MASE_RATIO = 0.9
ENGINES = ("ensemble", "prophet", "ets", "autoets")
BASELINES = ("naive", "seasonal_naive")
HORIZONS = ("1", "7", "28", "1-7")
METRICS = ("mase", "rel_mae_vs_naive", "smape", "coverage_80", "coverage_95")


def _run_engine(engine: str, table, source: str, deps: list[str], origins: list[str], client,
                seed: int, t_load: float) -> dict[str, object]:
    """Forecast + backtest with one engine; its wall time counts the (shared) file read."""
    from forecasting.backtest import metrics_table
    from forecasting.demand import forecast_and_backtest_ed

    t0 = time.perf_counter()
    methods = {m: origins for m in (engine, *BASELINES)}
    ds, backtests = forecast_and_backtest_ed(table, deps, method=engine, horizon=28,
                                             backtest_methods=methods, seed=seed,
                                             client=client, source=source)
    table_m = metrics_table(backtests)
    wall = t_load + time.perf_counter() - t0
    fits = sum(int((r.used[r.methods.index(engine)] != "").sum()) for r in backtests)
    fell = sum(1 for r in backtests for i, m in enumerate(r.methods) for u in r.used[i]
               if u and u != m)
    return {"table": table_m, "wall": wall, "series": int(ds.sizes["series"]),
            "backtest_fits": fits, "fallbacks": fell,
            "origins": int(backtests[0].origins.size) if backtests else 0}


def _ratio(table, method: str, horizon: str = "1-7") -> float:
    row = table[(table["method"] == method) & (table["horizon"] == horizon)]
    base = table[(table["method"] == "naive") & (table["horizon"] == horizon)]
    return float(row["mase"].iloc[0] / base["mase"].iloc[0])


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deps", nargs="+", default=None, help="default: all 101")
    parser.add_argument("--start", default="2024-01-01", help="first backtest origin")
    parser.add_argument("--end", default="2024-12-03", help="last backtest origin")
    parser.add_argument("--every", type=int, default=28, help="days between origins")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", nargs="+", choices=ENGINES,
                        default=[DEFAULT_ENGINE, "autoets"])
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--data", default=None, help="folder of a real SurSaUD file")
    args = parser.parse_args(argv)

    import pandas as pd

    from forecasting.backtest import rolling_origins
    from forecasting.engine import DEFAULT_SEED
    from forecasting.parallel import local_client
    from forecasting.run import format_metrics
    from twin.geography import dep_sort_key, departements

    seed = DEFAULT_SEED if args.seed is None else args.seed
    deps = sorted(args.deps or departements().index, key=dep_sort_key)
    origins = rolling_origins(args.start, args.end, args.every)
    figures: dict[str, object] = {
        "benchmark": "forecast", "deps": len(deps), "first_origin": origins[0],
        "last_origin": origins[-1], "horizon_days": 28, "seed": seed,
        "workers": args.workers, "cpus": os.cpu_count(), "python": platform.python_version(),
        "default_engine": DEFAULT_ENGINE, "data": "synthetic département replica",
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    from twin.sources.sursaud import find_file, load_ed_daily_all_ages

    t0 = time.perf_counter()
    table = load_ed_daily_all_ages(args.data)
    t_load = time.perf_counter() - t0
    figures["load_seconds"] = round(t_load, 1)
    source = str(find_file(args.data))
    t0 = time.perf_counter()
    with local_client(args.workers) as client:
        figures["cluster_seconds"] = round(time.perf_counter() - t0, 1)
        results = {e: _run_engine(e, table, source, deps, origins, client, seed, t_load)
                   for e in args.engines}
    for engine, res in results.items():
        table = res["table"]
        print(f"\n== {engine}: {res['series']} séries prévues, backtest "
              f"{res['backtest_fits']} ajustements, {res['wall']:.1f} s ==")
        with pd.option_context("display.width", 120):
            print(format_metrics(table, len(deps), res["origins"]))
        prefix = "" if engine == DEFAULT_ENGINE else f"{engine}_"
        figures[f"{prefix}wall_seconds"] = round(res["wall"], 1)
        figures[f"{prefix}backtest_fits"] = res["backtest_fits"]
        figures[f"{prefix}fallbacks"] = res["fallbacks"]
        figures[f"{prefix}mase_vs_weekday_naive"] = round(_ratio(table, engine), 4)
        figures["origins"] = res["origins"]
        for _, row in table.iterrows():
            if row["horizon"] not in HORIZONS or row["method"] not in (engine, "naive"):
                continue
            if row["method"] == "naive" and engine != args.engines[0]:
                continue
            label = row["horizon"].replace("-", "_")
            for metric in METRICS:
                figures[f"{row['method']}_{metric}_h{label}"] = round(float(row[metric]), 4)
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    if "wall_seconds" in figures:
        figures["wall_target_met"] = bool(figures["wall_seconds"] <= TARGET_WALL_SECONDS)
    if "mase_vs_weekday_naive" in figures:
        figures["mase_target_met"] = bool(figures["mase_vs_weekday_naive"] < TARGET_MASE_RATIO)
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
