"""``twin compare``: each scenario against the baseline, per indicator and territory.

For every indicator and territory (each département, and each région of the batch), each
replication is reduced to one number over the simulated days — the daily mean, or the
highest day for ``*_peak`` variables — and across replications we report the mean and the
5th/50th/95th percentiles of

* the scenario's value, and
* its **difference from the baseline, paired by replication**: replication ``r`` of every
  scenario shares the baseline's seed (the same patients: common random numbers), so
  ``scenario[r] − baseline[r]`` removes most of the noise both runs share;

and, for occupancy rates, the **probability of exceeding capacity thresholds** (default
95 % and 100 %): the share of replications in which the daily mean occupancy went above the
threshold on at least one day.

Région values are recomputed from the départements as :mod:`twin.output_registry` declares
(sums; passage- or call-weighted means for shares and mean answer times; rates from summed
beds), with the arithmetic of :mod:`twin.aggregation`. Medians and 90th percentiles
cannot be pooled from départements and are given per département only. Only replications
complete in every block for both the scenario and the baseline are used.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import xarray as xr

from twin.aggregation import (
    exceeds_any_day,
    over_period,
    paired_difference,
    ratio,
    summary,
    weighted_parts,
)
from twin.batch.aggregate import pooled_by
from twin.errors import DataError
from twin.geography import regions
from twin.output_registry import BY_NAME, RATIOS, STORE_OUTPUTS, Output, Ratio, Weighted
from twin.outputs import replace_path

THRESHOLDS = (0.95, 1.0)
PERCENTILES = (5.0, 50.0, 95.0)
KEY_INDICATORS = (
    "ed_passages",
    "ed_los_over_4h_share",
    "ed_boarding_hours",
    "admissions_ward",
    "admissions_icu",
    "refused",
    "transfers_out",
    "electives_cancelled",
    "plan_blanc_hours",
    "mco_occupancy_rate",
    "icu_occupancy_rate",
    "icu_occupied_peak",
    "samu_answer_time_mean",
    "closed_ed_redirected",
)
"""Indicators of the printed table (the saved file has all of them)."""


def threshold_column(t: float) -> str:
    return f"p_over_{round(t * 100)}pct"


def _region_daily(ds: xr.Dataset) -> xr.Dataset:
    """Daily région values (dims scenario, replication, reg, date), each variable combined
    as the output registry says; quantiles (not pooled) are left out."""
    out = {}
    for o in STORE_OUTPUTS:
        x = ds[o.name]
        if not o.regional or isinstance(o.aggregation, Ratio):
            continue
        if isinstance(o.aggregation, Weighted):
            out[o.name] = pooled_by(x, ds[o.aggregation.by], "reg")
        else:
            out[o.name] = x.groupby("reg").sum("dep", min_count=1)
    for name, r in RATIOS.items():
        out[name] = out[r.den].copy(data=ratio(out[r.num].values, out[r.den].values))
    return xr.Dataset(out)


def _parts(daily: xr.Dataset, o: Output) -> dict[str, np.ndarray]:
    """The parts :func:`twin.aggregation.over_period` combines: the daily values of a count,
    the numerator and denominator of a ratio, ``x·w`` and ``w`` of a weighted output."""
    def days_last(name: str) -> np.ndarray:
        return daily[name].transpose(..., "date").values

    if isinstance(o.aggregation, Ratio):
        return {"num": days_last(o.aggregation.num), "den": days_last(o.aggregation.den)}
    if isinstance(o.aggregation, Weighted):
        xw, w = weighted_parts(days_last(o.name), days_last(o.aggregation.by))
        return {"xw": xw, "w": w}
    return {"x": days_last(o.name)}


def _per_replication(daily: xr.Dataset) -> xr.Dataset:
    """One number per replication and territory over the whole period: the registry's
    ``over_time`` for counts (mean day, highest day for peaks), the ratio of the period's
    totals for rates and pooled shares (:func:`twin.aggregation.over_period`, as the
    dashboard)."""
    out = {}
    for k, v in daily.data_vars.items():
        first_day = v.transpose(..., "date").isel(date=0, drop=True)
        out[k] = first_day.copy(data=over_period(BY_NAME[k], _parts(daily, BY_NAME[k])))
    return xr.Dataset(out)


def _exceedance(daily: xr.Dataset, thresholds: Sequence[float]) -> dict[str, xr.DataArray]:
    out = {}
    for name in RATIOS:
        if name in daily:
            d = daily[name].transpose(..., "date")
            for t in thresholds:
                out[(name, t)] = d.isel(date=0, drop=True).copy(
                    data=exceeds_any_day(d.values, t)
                )
    return out


def usable_replications(ds: xr.Dataset, baseline: str) -> dict[str, np.ndarray]:
    """Per scenario, the replications complete in every block for it and the baseline."""
    done = ds["completed"].all("block").load()
    base = done.sel(scenario=baseline).values
    return {
        str(s): np.flatnonzero(done.sel(scenario=s).values & base) for s in ds["scenario"].values
    }


def compare(
    ds: xr.Dataset, baseline: str, thresholds: Sequence[float] = THRESHOLDS
) -> pd.DataFrame:
    """The comparison table (one row per indicator × territory × scenario × quantity).

    Pure: takes the opened store, returns a DataFrame with columns ``indicator, units,
    long_name_fr, level, territory, territory_name, scenario, quantity`` (``value`` or
    ``difference``), ``replications, mean, p5, p50, p95`` and one ``p_over_<N>pct`` column
    per threshold (occupancy-rate value rows only).
    """
    names = [str(s) for s in ds["scenario"].values]
    if baseline not in names:
        raise DataError.single(
            "--baseline", "a scenario of the store (" + ", ".join(names) + ")", repr(baseline)
        )
    usable = usable_replications(ds, baseline)
    if len(usable[baseline]) == 0:
        raise DataError.single(
            "store",
            f"at least one complete replication of the baseline {baseline}",
            "none complete (finish the batch with --resume)",
        )
    variables = [v.name for v in STORE_OUTPUTS]
    dep_daily = ds[variables].load()
    reg_daily = _region_daily(dep_daily)
    levels = (
        ("dep", dep_daily, dep_daily["dep_name"].to_series().to_dict()),
        ("reg", reg_daily, regions()["nom"].to_dict()),
    )
    rows: list[dict] = []
    qcols = [f"p{round(q)}" for q in PERCENTILES]
    for level, daily, labels in levels:
        per_rep = _per_replication(daily)
        exceed = _exceedance(daily, thresholds)
        for name in per_rep.data_vars:
            meta = BY_NAME[name]
            for territory in per_rep[level].values:
                territory = str(territory)
                base_vals = per_rep[name].sel({"scenario": baseline, level: territory})
                for scenario in names:
                    reps = usable[scenario]
                    if len(reps) == 0:
                        continue
                    vals = per_rep[name].sel({"scenario": scenario, level: territory})
                    vals = vals.isel(replication=reps).values.astype(np.float64)
                    quantities = [("value", vals)]
                    if scenario != baseline:
                        base = base_vals.isel(replication=reps).values.astype(np.float64)
                        quantities.append(("difference", paired_difference(vals, base)))
                    for quantity, x in quantities:
                        row = {
                            "indicator": name,
                            "units": meta.store_units,
                            "long_name_fr": meta.label_fr,
                            "level": level,
                            "territory": territory,
                            "territory_name": labels.get(territory, territory),
                            "scenario": scenario,
                            "quantity": quantity,
                        }
                        mean, qs, n = summary(x, PERCENTILES)
                        row["replications"] = int(n)
                        row["mean"] = float(mean)
                        row.update({c: float(q) for c, q in zip(qcols, qs, strict=True)})
                        for t in thresholds:
                            col = threshold_column(t)
                            row[col] = np.nan
                            if quantity == "value" and (name, t) in exceed:
                                e = exceed[(name, t)].sel({"scenario": scenario, level: territory})
                                row[col] = float(e.isel(replication=reps).values.mean())
                        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- printing


def _num(x: float, units: str) -> str:
    if not np.isfinite(x):
        return "—"
    if units == "1":
        return f"{x * 100:.1f} %".replace(".", ",")
    if abs(x) >= 100:
        return f"{x:,.0f}".replace(",", "\u202f")
    return f"{x:.2f}".replace(".", ",")


UNITS_FR = {
    "1": "%",
    "patients/day": "patients/j",
    "patient-hours/day": "patients·h/j",
    "establishment-hours/day": "h/j",
    "beds": "lits",
    "patients": "patients",
    "calls/day": "appels/j",
    "missions/day": "missions/j",
    "seconds": "s",
    "minutes": "min",
}


def _unit_fr(units: str) -> str:
    return UNITS_FR.get(units, units)


def _signed(x: float, units: str) -> str:
    s = _num(x, units)
    return s if s.startswith(("-", "—")) or x == 0 else "+" + s


def format_table(
    table: pd.DataFrame,
    baseline: str,
    indicators: Sequence[str] | None = KEY_INDICATORS,
    levels: Sequence[str] = ("reg",),
    thresholds: Sequence[float] = THRESHOLDS,
) -> str:
    """A plain-text table (French labels) of each scenario against the baseline."""
    t = table[table["level"].isin(levels)]
    if indicators is not None:
        t = t[t["indicator"].isin(indicators)]
    order = {n: k for k, n in enumerate(indicators or [v.name for v in STORE_OUTPUTS])}
    lines = []
    scenarios = [s for s in dict.fromkeys(t["scenario"]) if s != baseline] or [baseline]
    for scenario in scenarios:
        for territory, part in t.groupby("territory", sort=False):
            name = part["territory_name"].iloc[0]
            val = part[(part["scenario"] == scenario) & (part["quantity"] == "value")]
            base = part[(part["scenario"] == baseline) & (part["quantity"] == "value")]
            diff = part[(part["scenario"] == scenario) & (part["quantity"] == "difference")]
            n = int(val["replications"].max()) if len(val) else 0
            title = (
                f"{scenario} vs {baseline} — {name} ({territory}), {n} réplications appariées"
                if scenario != baseline
                else f"{baseline} — {name} ({territory}), {n} réplications"
            )
            lines += ["", title]
            header = f"{'indicateur':<60} {'référence':>10} {'scénario':>10} {'écart moyen':>12}"
            header += f" {'écart P5 ; P95':>22}"
            header += "".join(f" {'P(>' + str(round(th * 100)) + ' %)':>10}" for th in thresholds)
            lines.append(header)
            for _, row in sorted(val.iterrows(), key=lambda r: order.get(r[1]["indicator"], 99)):
                ind = row["indicator"]
                units = row["units"]
                b = base[base["indicator"] == ind]
                d = diff[diff["indicator"] == ind]
                label = f"{row['long_name_fr']} ({_unit_fr(units)})"
                line = f"{label[:60]:<60} {_num(b['mean'].iloc[0], units):>10}"
                line += f" {_num(row['mean'], units):>10}"
                if len(d):
                    dr = d.iloc[0]
                    line += f" {_signed(dr['mean'], units):>12}"
                    line += f" {_signed(dr['p5'], units) + ' ; ' + _signed(dr['p95'], units):>22}"
                else:
                    line += f" {'':>12} {'':>22}"
                for th in thresholds:
                    p = row[threshold_column(th)]
                    line += f" {(_num(p, '1') if np.isfinite(p) else ''):>10}"
                lines.append(line)
    return "\n".join(lines).lstrip("\n")


# --------------------------------------------------------------------------- I/O


def compare_store(
    store: Path, baseline: str | None = None, thresholds: Sequence[float] = THRESHOLDS
) -> tuple[pd.DataFrame, str]:
    """Open a store and compare; ``baseline`` defaults to the store's ``baseline`` attr."""
    store = Path(store)
    if not store.exists():
        raise DataError.single(store, "a results store (zarr folder)", "no such file or folder")
    try:
        ds = xr.open_zarr(store)
    except Exception as exc:  # zarr raises several types for a folder that is not a store
        raise DataError.single(
            store,
            "a results store written by twin run/batch",
            f"unreadable ({type(exc).__name__}: {exc})",
        ) from None
    with ds:
        if "completed" not in ds or "twin_format_version" not in ds.attrs:
            raise DataError.single(
                store,
                "a results store written by twin run/batch",
                "a zarr store without 'completed' or format version",
            )
        base = baseline or str(ds.attrs["baseline"])
        return compare(ds, base, thresholds), base


def save(table: pd.DataFrame, out: Path, attrs: dict | None = None) -> Path:
    """Save as CSV (``.csv``) or zarr (``.zarr``) via a temporary sibling then rename, so a
    failed save never leaves a half-written file in place of a good one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if out.suffix == ".zarr":
            index = ["indicator", "level", "territory", "scenario", "quantity"]
            ds = table.set_index(index).to_xarray()
            for col in ("units", "long_name_fr", "territory_name"):
                ds[col] = ds[col].astype(str)
            ds.attrs.update(
                {
                    k: v if isinstance(v, str | int | float) else json.dumps(v)
                    for k, v in (attrs or {}).items()
                }
            )
            ds.attrs["twin_output"] = OUTPUT_KIND
            ds.to_zarr(tmp, mode="w-", consolidated=True, zarr_format=2)
            replace_path(tmp, out)
        else:
            table.to_csv(tmp, index=False, float_format="%.6g")
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    return out


OUTPUT_KIND = "twin compare"
CSV_HEADER_START = "indicator,units,long_name_fr,level,territory,"


def is_comparison(path: Path) -> bool:
    """Whether ``path`` is an earlier output of :func:`save` (which may be replaced)."""
    path = Path(path)
    if path.is_symlink():
        return False
    if path.is_file():
        try:
            with path.open("rb") as fh:
                return fh.read(len(CSV_HEADER_START)).decode("ascii", "replace") == (
                    CSV_HEADER_START
                )
        except OSError:
            return False
    attrs = path / ".zattrs"
    try:
        return json.loads(attrs.read_text(encoding="utf-8")).get("twin_output") == OUTPUT_KIND
    except (OSError, ValueError, AttributeError):
        return False


def default_output(store: Path) -> Path:
    store = Path(store)
    return store.with_name(store.name.removesuffix(".zarr") + "-comparaison.csv")


def compare_and_print(
    store: Path,
    baseline: str | None = None,
    out: Path | None = None,
    stream: TextIO | None = None,
    all_indicators: bool = False,
) -> tuple[pd.DataFrame, Path]:
    """Compare, print the table, save the full table; returns it and where it was saved."""
    table, base = compare_store(store, baseline)
    stream = stream or sys.stdout
    print(format_table(table, base, None if all_indicators else KEY_INDICATORS), file=stream)
    target = save(table, out or default_output(store), {"store": str(store), "baseline": base})
    print(f"\ncomparaison complète : {target}", file=stream)
    return table, target
