"""The early warning as outputs: the xarray dataset written to ``projection.zarr`` and the
warning columns a planner reads, in order, with French headers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.output import provenance
from forecasting.shortages.early_warning import ShortageReport
from forecasting.shortages.settings import WEEKS

# --- outputs -------------------------------------------------------------------------------

QUANTILES = (0.1, 0.5, 0.9)


def to_dataset(report: ShortageReport):
    """The report as an :class:`xarray.Dataset` (dims ``produit``, ``site``, ``horizon``
    in weeks, ``jour`` after the as-of date, ``quantile``, ``scenario``; territorial
    probabilities on ``dep`` and ``reg``). Missing product × site combinations are NaN."""
    t = report.series
    products = sorted(t["product"].unique())
    sites = sorted(t["finess"].unique())
    pi = {p: i for i, p in enumerate(products)}
    si = {s: i for i, s in enumerate(sites)}
    rows = np.array([pi[p] for p in t["product"]])
    cols = np.array([si[s] for s in t["finess"]])
    scenarios = ["base"] + (["perturbation"] if report.scenario is not None else [])
    weeks = [w for w in WEEKS if w <= report.horizon_weeks]
    days = report.baseline.stock.shape[2]

    def grid(values, dtype=float, fill=np.nan):
        out = np.full((len(products), len(sites)), fill, dtype=dtype)
        out[rows, cols] = values
        return out

    data = {
        "stock": grid(t["stock"]),
        "conso_jour": grid(t["conso_jour"]),
        "jours_couverture": grid(t["jours_couverture"].replace(np.inf, np.nan)),
        "delai_p50": grid(t["delai_p50"]),
        "delai_p90": grid(t["delai_p90"]),
        "point_commande": grid(t["point_commande"]),
        "niveau_recompletement": grid(t["niveau_recompletement"]),
        "statut_bdpm": grid(t["statut_bdpm"], dtype=float),
        "stock_securite_jours": grid(t["stock_securite_jours"], dtype=float),
        "avis_ansm_reel": grid(t["avis_ansm"].to_numpy() != "", dtype=bool, fill=False),
        "avis_ansm_statut": grid(t["avis_statut"].to_numpy(dtype=object), dtype=object,
                                 fill=""),
        "avis_ansm_lien": grid(t["avis_lien"].to_numpy(dtype=object), dtype=object, fill=""),
        "methode": grid(t["methode"].to_numpy(dtype=object), dtype=object, fill=""),
        "classe_demande": grid(t["classe_demande"].to_numpy(dtype=object), dtype=object,
                               fill=""),
    }
    variables = {k: (("produit", "site"), v) for k, v in data.items()}
    p = np.full((len(scenarios), len(products), len(sites), len(weeks)), np.nan)
    q = np.full((len(scenarios), len(products), len(sites), len(QUANTILES), days), np.nan)
    for k, res in enumerate([report.baseline, report.scenario][: len(scenarios)]):
        assert res is not None
        for j, w in enumerate(weeks):
            p[k, rows, cols, j] = res.p_rupture_within(7 * w)
        q[k, rows, cols] = res.stock_quantiles(QUANTILES)
    variables["p_rupture"] = (("scenario", "produit", "site", "horizon"), p)
    variables["stock_quantiles"] = (("scenario", "produit", "site", "quantile", "jour"), q)
    site_info = t.drop_duplicates("finess").set_index("finess").reindex(sites)
    ds = xr.Dataset(
        variables,
        coords={
            "produit": products,
            "site": sites,
            "horizon": np.array(weeks),
            "quantile": np.array(QUANTILES),
            "jour": np.arange(days),
            "scenario": scenarios,
            "site_nom": ("site", site_info["site"].to_numpy(dtype=object)),
            "site_dep": ("site", site_info["dep"].to_numpy(dtype=object)),
            "site_reg": ("site", site_info["reg"].to_numpy(dtype=object)),
        },
        attrs={
            "as_of": f"{report.as_of:%Y-%m-%d}",
            "horizon_weeks": report.horizon_weeks,
            "rupture": "72 h sans stock (3 jours consécutifs à stock nul)",
            "units": "stock et consommation dans l'unité du registre (boîte ou UCD)",
            "settings": json.dumps(report.settings, default=str, ensure_ascii=False),
            "seed": int(report.settings.get("seed", -1)),
            **provenance(),
        },
    )
    terr = report.territories
    for level, dim in (("département", "dep"), ("région", "reg")):
        part = terr[terr["niveau"] == level]
        codes = sorted(part["code"].unique())
        arr = np.full((len(products), len(codes), len(weeks)), np.nan)
        ci = {c: i for i, c in enumerate(codes)}
        for _, r in part.iterrows():
            for j, w in enumerate(weeks):
                arr[pi[r["produit"]], ci[r["code"]], j] = r[f"p_rupture_{w}s"]
        ds[f"p_rupture_{dim}"] = (("produit", dim, "horizon"), arr)
        ds = ds.assign_coords({dim: codes})
    return ds


WARNING_COLUMNS = (
    "rang", "niveau", "product", "produit", "unit", "finess", "site", "dep", "reg", "stock",
    "en_commande", "conso_jour", "jours_couverture", "classe_demande", "methode", "delai_p50",
    "delai_p90", "p_rupture_1s", "p_rupture_2s", "p_rupture_4s", "p_rupture_8s",
    "date_rupture_attendue", "statut_bdpm_libelle", "mitm", "recurrent",
    "stock_securite_jours", "motif", "action", "quantite_a_commander", "transfert_depuis",
    "quantite_transfert", "avis_ansm", "avis_statut", "avis_cis", "avis_debut",
    "avis_retour_prevu", "avis_lien",
)


def warnings_frame(warn: pd.DataFrame) -> pd.DataFrame:
    """The warning columns a planner reads, in order (French file headers)."""
    cols = [c for c in WARNING_COLUMNS if c in warn.columns]
    out = warn[cols].rename(columns={"product": "produit_cle", "produit": "code_produit",
                                     "unit": "unite", "statut_bdpm_libelle": "statut_bdpm"})
    for col in ("mitm", "recurrent"):
        if col in out:
            out[col] = out[col].map({True: "oui", False: "non"})
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """French spreadsheet conventions: ``;``, decimal comma, JJ/MM/AAAA, UTF-8."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]) or out[col].map(
            lambda v: isinstance(v, pd.Timestamp)
        ).any():
            out[col] = pd.to_datetime(out[col]).dt.strftime("%d/%m/%Y").fillna("")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].replace([np.inf, -np.inf], np.nan)
    out.to_csv(path, sep=";", decimal=",", index=False, float_format="%.3f",
               encoding="utf-8", lineterminator="\n")
