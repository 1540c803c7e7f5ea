"""Simulated indicators next to the observed ones they were calibrated on.

The twin is calibrated directly on SAE annual figures; this module states what a baseline
run must give back, per département, in the same units (per day, as annual means):
ED passages, patients admitted from the ED (SAE ``dtHOSP``: ward, critical care or another
establishment), occupied MCO, adult critical-care and follow-up-care (SSR) beds (SAE
patient-days / 365), SMUR primary missions and SAMU calls. A short run in winter is
compared with the annual mean scaled by the run's own demand season (the ratio of the
demand it was given to the annual mean), so a January run is not judged against July.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.network import CareNetwork, NetworkInputs, SaeTables
from twin.sim.replication import by_territory

INDICATORS: dict[str, str] = {
    "ed_passages": "Passages aux urgences / jour",
    "ed_admissions": "Hospitalisations après urgences / jour",
    "mco_occupied": "Lits MCO occupés",
    "icu_occupied": "Lits de réanimation adulte occupés",
    "ssr_occupied": "Lits SSR occupés",
    "smur_missions": "Sorties SMUR primaires / jour",
    "samu_calls": "Appels SAMU décrochés / jour",
}
"""Indicator → French label (per day, or mean beds occupied)."""

SEASONAL = ("ed_passages", "ed_admissions", "smur_missions", "samu_calls")
"""Flows that follow the run's demand season; bed occupancies are compared with the annual
mean (stays smooth them, and electives fill the troughs)."""


def observed(inputs: SaeTables, deps: list[str]) -> pd.DataFrame:
    """Observed annual means per département (rows) and indicator (columns), from SAE."""
    ed = inputs.ed_units[inputs.ed_units["dep"].isin(deps)]
    mco = inputs.mco[inputs.mco["dep"].isin(deps)]
    cc = inputs.critical_care[
        inputs.critical_care["dep"].isin(deps) & (inputs.critical_care["unit_code"] == "REAADU")
    ]
    ssr = inputs.ssr[inputs.ssr["dep"].isin(deps)]
    ss = inputs.samu_smur[inputs.samu_smur["dep"].isin(deps)]

    def per_day(df: pd.DataFrame, col: str) -> pd.Series:
        return df.groupby("dep")[col].sum(min_count=1).reindex(deps) / 365.0

    out = pd.DataFrame(
        {
            "ed_passages": per_day(ed, "passages"),
            "ed_admissions": per_day(ed, "admissions"),
            "mco_occupied": per_day(mco, "patient_days"),
            "icu_occupied": per_day(cc, "patient_days"),
            "ssr_occupied": per_day(ssr, "days"),
            "smur_missions": per_day(ss, "primary_road"),
            "samu_calls": per_day(ss, "calls_answered"),
        }
    )
    out.index.name = "dep"
    return out


COMPLETE_SHARE = 0.95
"""An observed value is complete when the units reporting it carry at least this share of
the département's activity (ED passages, or units with beds / SAMU-SMUR rows otherwise)."""


def coverage(inputs: SaeTables, deps: list[str]) -> pd.DataFrame:
    """Per département and indicator: share of the activity whose SAE cell is filled (an
    empty cell is missing, not zero, so the sum of the others undercounts)."""
    ed = inputs.ed_units[inputs.ed_units["dep"].isin(deps)]
    cc = inputs.critical_care
    tables = {
        "mco_occupied": (inputs.mco, "patient_days"),
        "icu_occupied": (cc[cc["unit_code"] == "REAADU"], "patient_days"),
        "ssr_occupied": (inputs.ssr, "days"),
        "smur_missions": (inputs.samu_smur[inputs.samu_smur["has_smur"].fillna(False)
                                           .astype(bool)], "primary_road"),
        "samu_calls": (inputs.samu_smur[inputs.samu_smur["has_samu"].fillna(False)
                                        .astype(bool)], "calls_answered"),
    }

    def weighted(col: str) -> pd.Series:
        filled = ed["passages"].where(ed[col].notna(), 0.0)
        tot = ed.groupby("dep")["passages"].sum()
        return (filled.groupby(ed["dep"]).sum() / tot.where(tot > 0)).reindex(deps)

    out = {"ed_passages": weighted("passages"), "ed_admissions": weighted("admissions")}
    for ind, (df, col) in tables.items():
        d = df[df["dep"].isin(deps)]
        out[ind] = d[col].notna().groupby(d["dep"]).mean().reindex(deps)
    res = pd.DataFrame(out).fillna(1.0)
    res.index.name = "dep"
    return res


def demand_season(network: CareNetwork, year_mean_per_day: pd.Series) -> pd.Series:
    """Per département: mean ED demand the run was given / the observed annual daily mean."""
    given = {
        t.dep: float(t.ed_demand_per_day.sum(axis=1).mean()) for t in network.territories
    }
    # The network hands self-presenting demand; SAMU-brought patients come on top.
    given_total = pd.Series(given) / (1.0 - network.parameters.samu_ambulance_share_of_ed)
    return (given_total / year_mean_per_day.reindex(given_total.index)).rename("season")


def simulated_daily(ds: xr.Dataset) -> xr.Dataset:
    """Daily values per département (``dep``) of every :data:`INDICATORS` entry."""
    dep = by_territory(ds, "dep")
    terr = ds[["samu_calls", "smur_missions"]].rename(territory="dep")
    admissions = dep["admissions_ward"] + dep["admissions_icu"] + dep["ed_transfers_out"]
    out = xr.Dataset(
        {
            "ed_passages": dep["ed_passages"],
            "ed_admissions": admissions,
            "mco_occupied": dep["mco_occupied_mean"],
            "icu_occupied": dep["icu_occupied_mean"],
            "ssr_occupied": dep["ssr_occupied_mean"],
            "smur_missions": terr["smur_missions"],
            "samu_calls": terr["samu_calls"],
        }
    )
    return out.assign_coords(dep=out["dep"].astype(str))


def simulated(ds: xr.Dataset) -> pd.DataFrame:
    """Simulated daily means per département and indicator from a replication Dataset."""
    out = simulated_daily(ds).mean("date").to_dataframe()[list(INDICATORS)]
    out.index = out.index.astype(str)
    out.index.name = "dep"
    return out


def compare(
    ds: xr.Dataset, network: CareNetwork, inputs: NetworkInputs, level: str = "dep"
) -> pd.DataFrame:
    """Long table: territory, indicator, simulated, expected (observed × season), ratio.

    ``level`` ``dep`` or ``reg`` (sums of départements) or ``all``.
    """
    deps = [t.dep for t in network.territories]
    obs = observed(inputs, deps)
    season = demand_season(network, obs["ed_passages"])
    expected = obs.copy()
    for col in SEASONAL:
        expected[col] = obs[col] * season
    sim = simulated(ds).reindex(deps)
    if level != "dep":
        key = (
            pd.Series({t.dep: t.reg for t in network.territories})
            if level == "reg"
            else pd.Series("FR", index=deps)
        )
        expected = expected.groupby(key).sum(min_count=1)
        sim = sim.groupby(key).sum(min_count=1)
    rows = []
    for terr in sim.index:
        for ind in INDICATORS:
            s, e = float(sim.loc[terr, ind]), float(expected.loc[terr, ind])
            rows.append(
                {
                    "territory": terr,
                    "indicator": ind,
                    "simulated": s,
                    "expected": e,
                    "ratio": s / e if e and np.isfinite(e) and e > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def format_comparison(table: pd.DataFrame) -> str:
    """French table of simulated vs observed indicators for the terminal."""
    lines = [f"{'Territoire':<10} {'Indicateur':<42} {'Simulé':>10} {'Observé':>10} {'Écart':>7}"]
    lines.append("-" * len(lines[0]))
    for r in table.itertuples():
        gap = f"{(r.ratio - 1) * 100:+.0f} %" if np.isfinite(r.ratio) else "n.d."
        lines.append(
            f"{r.territory:<10} {INDICATORS[r.indicator]:<42} "
            f"{_fr(r.simulated):>10} {_fr(r.expected):>10} {gap:>7}"
        )
    return "\n".join(lines)


def _fr(x: float) -> str:
    if not np.isfinite(x):
        return "n.d."
    return f"{x:,.0f}".replace(",", "\u202f")
