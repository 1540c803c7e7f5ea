"""One forecast or backtest run end to end, as ``twin forecast`` does it: compute, write the
outputs where the dashboard reads them (noting in the folder that ``twin forecast`` wrote
them) and describe the result in French, saying whether the series is real or a synthetic
replica. The command line only parses its options, checks ``--out`` and prints this text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from forecasting.backtest import SeriesBacktest, metrics_table, rolling_origins
from forecasting.demand import (
    REAL_BACKTEST_WINDOW,
    REAL_LABEL,
    REPLICA_LABEL,
    backtest_dataset,
    backtest_ed,
    backtest_ed_regional,
    forecast_admissions,
    forecast_ed,
    forecast_ed_regional,
    forecast_medicines,
)
from forecasting.engine import METHODS
from forecasting.output import french_table, provenance, write_metrics, write_outputs
from twin.outputs import record_outputs

COMMAND = "twin forecast"
REPLICA_BACKTEST = ("2023-01-01", "2024-12-31")
METHOD_NAMES = {"ensemble": "Prophet+AutoETS", "prophet": "Prophet", "ets": "ETS",
                "autoets": "AutoETS", "naive": "Naïf hebdo", "seasonal_naive": "Naïf saisonnier"}
NO_ORIGIN = "no backtest origin has its whole horizon inside the data"
REGIONAL_BANDS = ((1, 7), (8, 28), (1, 28))


def output_names(series: str, regional: bool, backtest: bool) -> list[str]:
    """The entries a run writes in its output folder."""
    suffix = "_regional" if regional else ""
    if backtest:
        return [f"backtest_ed{suffix}.zarr", f"backtest_ed{suffix}_metrics.csv"]
    stem = f"forecast_{series}{suffix}"
    return [f"{stem}.zarr", f"{stem}.csv"]


def produce(series: str, targets: Sequence[str] | None, *, out: Path, method: str,
            origin: str | None, horizon: int, seed: int, client: object = None,
            data: Path | None = None, sae: Path | None = None, by_age: bool = False,
            top: int = 10) -> str:
    """Forecast the replica's départements (``ed``, ``admissions``) or the sentinel
    medicines by région (``medicines``), write ``forecast_<series>.{zarr,csv}``."""
    if series == "medicines":
        ds = forecast_medicines(targets, method=method, origin=origin, horizon=horizon,
                                seed=seed, client=client, folder=data)
    elif series == "admissions":
        if by_age:
            raise ValueError("--by-age is not available for --series admissions (the SAE "
                             "gives no admitted share by age class)")
        ds = forecast_admissions(targets, method=method, origin=origin, horizon=horizon,
                                 seed=seed, client=client, folder=data, sae_folder=sae)
    else:
        ds = forecast_ed(targets, by_age=by_age, method=method, origin=origin,
                         horizon=horizon, seed=seed, client=client, folder=data)
    zpath, cpath = write_outputs(ds, out, f"forecast_{series}")
    record_outputs(out, output_names(series, False, False), COMMAND)
    return f"{french_table(ds, top=top)}\n\nRésultats : {zpath} et {cpath}"


def produce_regional(regs: Sequence[str] | None, *, out: Path, method: str,
                     origin: str | None, horizon: int, seed: int, client: object = None,
                     data: Path | None = None, top: int = 10) -> str:
    """Forecast the REAL régional ED series (and France), write
    ``forecast_ed_regional.{zarr,csv}``."""
    ds = forecast_ed_regional(regs, method=method, origin=origin, horizon=horizon,
                              seed=seed, client=client, source=data)
    zpath, cpath = write_outputs(ds, out, "forecast_ed_regional")
    record_outputs(out, output_names("ed", True, False), COMMAND)
    return f"{french_table(ds, top=top)}\n\nRésultats : {zpath} et {cpath}"


def backtest(deps: Sequence[str] | None, *, out: Path, horizon: int, seed: int,
             client: object = None, data: Path | None = None, start: str | None = None,
             end: str | None = None, every: int = 28) -> str:
    """Rolling-origin backtest of every method on the replica's départements."""
    origins = rolling_origins(start or REPLICA_BACKTEST[0], end or REPLICA_BACKTEST[1], every)
    results = backtest_ed(deps, methods=METHODS, origins=origins, horizon=horizon,
                          seed=seed, client=client, folder=data)
    label = REPLICA_LABEL if data is None else f"fichier {data}"
    return _write_backtest(results, origins, out=out, regional=False, horizon=horizon,
                           seed=seed, label=label)


def backtest_regional(regs: Sequence[str] | None, *, out: Path, horizon: int, seed: int,
                      client: object = None, data: Path | None = None,
                      start: str | None = None, end: str | None = None,
                      every: int = 28) -> str:
    """Rolling-origin backtest of every method on the REAL régional series."""
    origins = rolling_origins(start or REAL_BACKTEST_WINDOW[0], end or REAL_BACKTEST_WINDOW[1],
                              every)
    results = backtest_ed_regional(regs, methods=METHODS, origins=origins, horizon=horizon,
                                   seed=seed, client=client, source=data)
    return _write_backtest(results, origins, out=out, regional=True, horizon=horizon,
                           seed=seed, label=REAL_LABEL)


def _write_backtest(results: list[SeriesBacktest], origins: list[str], *, out: Path,
                    regional: bool, horizon: int, seed: int, label: str) -> str:
    """Score, write ``backtest_ed[_regional].zarr`` and ``_metrics.csv``, describe in French.
    The real régional series are also scored on the first week and on days 8-28."""
    if not results or results[0].origins.size == 0:
        raise ValueError(NO_ORIGIN)
    table = (metrics_table(results, bands=REGIONAL_BANDS) if regional
             else metrics_table(results))
    kind = {"data_kind": "real"} if regional else {}
    ds = backtest_dataset(results, {"seed": seed, "horizon": horizon,
                                    "origins": ",".join(origins), **kind, "data_label": label,
                                    **provenance()})
    zpath, cpath = write_metrics(ds, table, out,
                                 "backtest_ed_regional" if regional else "backtest_ed")
    record_outputs(out, output_names("ed", regional, True), COMMAND)
    return (f"{format_metrics(table, len(results), results[0].origins.size, label)}"
            f"\n\nRésultats : {zpath} et {cpath}")


def format_metrics(table: pd.DataFrame, n_series: int, n_origins: int,
                   data_label: str = "") -> str:
    """The backtest table in French (MASE, relative MAE, sMAPE, coverage 80/95 %)."""
    names = METHOD_NAMES
    lines = [
        f"Backtest à origines glissantes : {n_series} série(s) x {n_origins} origine(s)",
        *([f"Source : {data_label}"] if data_label else []),
        "MASE : erreur absolue / MAE du naïf hebdomadaire sur l'apprentissage (< 1 = mieux) ;",
        "MAE rel. : erreur absolue / celle du naïf hebdomadaire sur les mêmes jours.",
        "",
        f"{'Méthode':<17}{'Horizon':>8}{'MASE':>7}{'MAE rel.':>10}{'sMAPE %':>9}"
        f"{'Couv. 80 %':>12}{'Couv. 95 %':>12}",
    ]
    for _, r in table.iterrows():
        if r["horizon"] == "total":
            label = "total"
            lines.append(f"{names.get(r['method'], r['method']):<17}{label:>8}{'':>7}{'':>10}"
                         f"{'':>9}{r['coverage_80']:>12.2f}{r['coverage_95']:>12.2f}")
            continue
        lines.append(
            f"{names.get(r['method'], r['method']):<17}{r['horizon']:>8}{r['mase']:>7.2f}"
            f"{r['rel_mae_vs_naive']:>10.2f}{r['smape']:>9.1f}{r['coverage_80']:>12.2f}"
            f"{r['coverage_95']:>12.2f}")
    return "\n".join(lines)
