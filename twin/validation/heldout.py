"""A year the model did not see: calibrated on SAE year C, judged on SAE year T = C + 1.

The model's prediction of T's annual mean per département is a run calibrated on C (demand
volume, disposition shares, lengths of stay, direct admissions) with T's beds (capacities
are planned, so known in advance), over the same weeks of year C, with its flows divided by
C's demand season (an annual-mean equivalent) and its occupied beds taken as they are.
Persistence predicts C's observed value. Both are scored against T's observed value by the
absolute percentage error per département.

By construction the model is persistence times its own in-sample bias for every flow: the
only information about T it receives is T's beds, which move occupancies (and, through
boarding and transfers, little else). It can beat persistence only where its bias happens
to have the sign of the year's change, or where T's capacities moved occupancy the way
reality did. The report says so next to the figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.validation.compare import INDICATORS, SEASONAL


def predictions(sim_means: pd.DataFrame, season: pd.Series) -> pd.DataFrame:
    """Per dep and indicator: the model's annual-mean prediction (replication mean; flows
    divided by the run's demand season)."""
    m = sim_means.groupby(["dep", "indicator"])["simulated"].mean().reset_index()
    factor = np.where(m["indicator"].isin(SEASONAL), m["dep"].map(season).astype(float), 1.0)
    m["model"] = m["simulated"] / factor
    return m[["dep", "indicator", "model"]]


def score(
    model: pd.DataFrame,
    observed_c: pd.DataFrame,
    observed_t: pd.DataFrame,
    complete: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-département errors and a per-indicator summary.

    Returns ``(detail, summary)``: ``detail`` has dep, indicator, model, persistence,
    observed, model_ape, persistence_ape (%); ``summary`` per indicator: départements,
    model_mape, persistence_mape, model_better (départements where the model's error is
    smaller), national model / persistence errors (%). ``complete`` (dep × indicator,
    boolean) drops départements whose SAE value is incomplete in either year."""

    def long(obs: pd.DataFrame, name: str) -> pd.DataFrame:
        return obs.reset_index().melt("dep", var_name="indicator", value_name=name)

    d = model.merge(long(observed_c, "persistence"), on=["dep", "indicator"]).merge(
        long(observed_t, "observed"), on=["dep", "indicator"]
    )
    d = d[d["observed"] > 0].dropna(subset=["model", "persistence", "observed"])
    if complete is not None:
        ok = complete.reset_index().melt("dep", var_name="indicator", value_name="ok")
        d = d.merge(ok, on=["dep", "indicator"], how="left")
        d = d[d["ok"].fillna(True).astype(bool)].drop(columns="ok")
    d["model_ape"] = (d["model"] / d["observed"] - 1).abs() * 100
    d["persistence_ape"] = (d["persistence"] / d["observed"] - 1).abs() * 100
    rows = []
    for ind in INDICATORS:
        g = d[d["indicator"] == ind]
        if g.empty:
            continue
        tot = g[["model", "persistence", "observed"]].sum()
        rows.append(
            {
                "indicator": ind,
                "label": INDICATORS[ind],
                "departements": len(g),
                "model_mape": float(g["model_ape"].mean()),
                "persistence_mape": float(g["persistence_ape"].mean()),
                "model_better": int((g["model_ape"] < g["persistence_ape"]).sum()),
                "national_model_error_pct": float((tot["model"] / tot["observed"] - 1) * 100),
                "national_persistence_error_pct": float(
                    (tot["persistence"] / tot["observed"] - 1) * 100
                ),
            }
        )
    return d.reset_index(drop=True), pd.DataFrame(rows)
