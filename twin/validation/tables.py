"""Simulated vs observed per département, région and France, with replication intervals.

Pure functions of the région stores (:mod:`twin.validation.runner`) and of the observed SAE
annual means (:func:`twin.validation.compare.observed`). For each replication the
simulated daily mean is compared with the expected value (the SAE annual mean, times the
run's demand season for flows); the ratio's point value is the mean over replications and
its interval the lowest and highest replication (with few replications a percentile
interval would claim a precision it does not have).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.validation.compare import COMPLETE_SHARE, INDICATORS, SEASONAL

OCCUPANCY = {"mco_occupied": "mco_beds", "icu_occupied": "icu_beds"}
"""Occupied-bed indicators and the SAE beds (``LIT``) they are divided by."""
HEADLINE = ("ed_passages", "ed_admissions", "mco_occupied")
"""Indicators with a MAPE target over départements (≤ 10 %)."""


def replication_means(stores: list[xr.Dataset]) -> pd.DataFrame:
    """Long table: dep, replication, indicator, simulated (mean over the run's days)."""
    parts = []
    for ds in stores:
        m = ds[list(INDICATORS)].mean("date").to_dataframe().reset_index()
        parts.append(m.melt(["replication", "dep"], var_name="indicator", value_name="simulated"))
    out = pd.concat(parts, ignore_index=True)
    out["dep"] = out["dep"].astype(str)
    return out


def expected_values(
    observed: pd.DataFrame, season: pd.Series, coverage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Long table: dep, indicator, observed (SAE annual mean), season, expected, complete
    (the SAE cells cover at least :data:`~twin.validation.compare.COMPLETE_SHARE` of the
    activity; see :func:`~twin.validation.compare.coverage`)."""
    obs = observed.reset_index().melt("dep", var_name="indicator", value_name="observed")
    if coverage is None:
        obs["complete"] = True
    else:
        cov = coverage.reset_index().melt("dep", var_name="indicator", value_name="coverage")
        obs = obs.merge(cov, on=["dep", "indicator"], how="left")
        obs["complete"] = obs["coverage"].fillna(1.0) >= COMPLETE_SHARE
        obs = obs.drop(columns="coverage")
    obs["season"] = np.where(
        obs["indicator"].isin(SEASONAL), obs["dep"].map(season).astype(float), 1.0
    )
    obs["expected"] = obs["observed"] * obs["season"]
    return obs


def _summarise(merged: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum départements within ``keys`` per replication, then mean and range over them."""
    per_rep = (
        merged.groupby([*keys, "indicator", "replication"])[["simulated", "expected", "observed"]]
        .sum(min_count=1)
        .reset_index()
    )
    per_rep["ratio"] = per_rep["simulated"] / per_rep["expected"].where(per_rep["expected"] > 0)
    g = per_rep.groupby([*keys, "indicator"])
    out = g.agg(
        simulated=("simulated", "mean"),
        simulated_min=("simulated", "min"),
        simulated_max=("simulated", "max"),
        expected=("expected", "first"),
        observed=("observed", "first"),
        ratio=("ratio", "mean"),
        ratio_min=("ratio", "min"),
        ratio_max=("ratio", "max"),
        replications=("replication", "nunique"),
    ).reset_index()
    complete = merged.groupby([*keys, "indicator"])["complete"].all().rename("complete")
    out = out.merge(complete.reset_index(), on=[*keys, "indicator"], how="left")
    out["error_pct"] = (out["ratio"] - 1.0) * 100.0
    return out


def comparison_tables(
    sims: pd.DataFrame,
    expected: pd.DataFrame,
    beds: pd.DataFrame,
    geo: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Per ``departement``, ``region`` and ``france``: simulated (mean, min, max over
    replications), observed, expected, ratio and interval, error in %, and for occupied
    beds the occupancy (simulated and observed) and its error in points.

    ``beds``: per dep, ``mco_beds`` and ``icu_beds``; ``geo``: per dep, ``reg``, ``nom``,
    ``reg_nom``."""
    merged = sims.merge(expected, on=["dep", "indicator"], how="left")
    merged["reg"] = merged["dep"].map(geo["reg"])
    merged["all"] = "FR"
    group_of = {
        "dep": beds.index.to_series(),
        "reg": beds.index.to_series().map(geo["reg"]),
        "all": pd.Series("FR", index=beds.index),
    }
    tables = {}
    for level, keys in (("departement", ["dep"]), ("region", ["reg"]), ("france", ["all"])):
        t = _summarise(merged, keys)
        key = keys[0]
        t["beds"] = np.nan
        for ind, kind in OCCUPANCY.items():
            b = beds[kind].groupby(group_of[key]).sum()
            mask = t["indicator"] == ind
            t.loc[mask, "beds"] = t.loc[mask, key].map(b).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            t["occupancy_sim_pct"] = t["simulated"] / t["beds"].where(t["beds"] > 0) * 100
            t["occupancy_obs_pct"] = t["observed"] / t["beds"].where(t["beds"] > 0) * 100
        t["occupancy_points"] = t["occupancy_sim_pct"] - t["occupancy_obs_pct"]
        t["label"] = t["indicator"].map(INDICATORS)
        if key == "dep":
            t["nom"] = t["dep"].map(geo["nom"])
            t["reg"] = t["dep"].map(geo["reg"])
        elif key == "reg":
            t["nom"] = t["reg"].map(geo.drop_duplicates("reg").set_index("reg")["reg_nom"])
        else:
            t = t.rename(columns={"all": "territory"})
            t["nom"] = "France"
        tables[level] = t
    return tables


def headline_metrics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The figures the issue sets targets for: MAPE over départements (%) whose observed
    value is complete, national ratios, national occupancy error in points, and how many
    départements an incomplete SAE value left out of each MAPE."""
    dep = tables["departement"]
    nat = tables["france"].set_index("indicator")
    out: dict[str, float] = {}
    for ind in INDICATORS:
        d = dep[(dep["indicator"] == ind) & dep["ratio"].notna()]
        out[f"excluded_{ind}"] = int((~d["complete"]).sum())
        d = d[d["complete"]]
        out[f"mape_{ind}"] = float((d["ratio"] - 1).abs().mean() * 100) if len(d) else np.nan
        out[f"national_ratio_{ind}"] = float(nat.loc[ind, "ratio"]) if ind in nat.index else np.nan
    for ind in OCCUPANCY:
        out[f"{ind.split('_')[0]}_occupancy_points"] = float(nat.loc[ind, "occupancy_points"])
        out[f"{ind.split('_')[0]}_occupancy_sim_pct"] = float(nat.loc[ind, "occupancy_sim_pct"])
        out[f"{ind.split('_')[0]}_occupancy_obs_pct"] = float(nat.loc[ind, "occupancy_obs_pct"])
    return out


def pooled_los(stores: list[xr.Dataset]) -> pd.DataFrame:
    """ED length of stay pooled over régions (and replications): per group, passages,
    median and 90th percentile (hours, to the quarter hour), share over 4 h and 8 h."""
    hist = sum(ds["ed_los_histogram"].sum("replication") for ds in stores)
    starts = hist["bin_start_hours"].to_numpy()
    width = float(starts[1] - starts[0]) if len(starts) > 1 else 0.25
    rows = []
    for group in hist["group"].to_numpy():
        counts = hist.sel(group=group).to_numpy().astype(float)
        n = counts.sum()
        cum = np.cumsum(counts) / n if n else np.zeros_like(counts)

        def quantile(q: float, cum: np.ndarray = cum, n: float = n) -> float:
            i = int(np.searchsorted(cum, q))
            return float(starts[min(i, len(starts) - 1)] + width) if n else np.nan

        rows.append(
            {
                "group": str(group),
                "episodes": int(n),
                "median_hours": quantile(0.5),
                "p90_hours": quantile(0.9),
                "mean_hours": float((counts * (starts + width / 2)).sum() / n) if n else np.nan,
                "share_over_4h": float(counts[starts >= 4.0].sum() / n) if n else np.nan,
                "share_over_8h": float(counts[starts >= 8.0].sum() / n) if n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def admissions_by_age(stores: list[xr.Dataset]) -> pd.DataFrame:
    """Share of ED passages followed by an admission (ward or critical care), per age class,
    pooled over the stores' départements (model calibration, not a simulated count)."""
    have = [ds for ds in stores if "ed_passages_by_age_year" in ds]
    if not have:
        return pd.DataFrame(columns=["age", "passages_year", "admitted_share"])
    passages = sum(ds["ed_passages_by_age_year"].sum("dep") for ds in have)
    admitted = sum(ds["ed_admitted_by_age_year"].sum("dep") for ds in have)
    return pd.DataFrame({
        "age": [str(a) for a in passages["age"].to_numpy()],
        "passages_year": passages.to_numpy(),
        "admitted_share": (admitted / passages).to_numpy(),
    })
