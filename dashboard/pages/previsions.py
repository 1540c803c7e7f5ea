"""Page « Prévisions et pénuries »: demand forecasts with intervals and the shortage
early-warning table.

Reads the outputs of ``twin forecast`` (``forecast_ed.zarr``, ``forecast_admissions.zarr``,
``forecast_medicines.zarr``,
layout in :mod:`forecasting.demand`) and of ``twin shortages`` (``alertes.csv``, French CSV:
``;``, decimal comma, JJ/MM/AAAA) from the folders of the configuration. The file names are
fixed here; the browser only chooses among series and filters that exist.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from dash import Input, Output, State, dcc, html

from dashboard import figures, widgets
from dashboard.observed import sursaud_daily
from dashboard.pages.common import pick, register_export
from dashboard.results import open_zarr
from twin.sources.sursaud_regional import load_ed_daily_regional

FORECAST_FILES = {"ed_regional": "forecast_ed_regional.zarr", "ed": "forecast_ed.zarr",
                  "admissions": "forecast_admissions.zarr",
                  "medicines": "forecast_medicines.zarr"}
FORECAST_LABELS = {"ed_regional":
                   "Passages aux urgences par région (quotidien, données réelles)",
                   "ed": "Passages aux urgences par département (quotidien, réplique)",
                   "admissions": "Hospitalisations après passage aux urgences (quotidien)",
                   "medicines": "Médicaments sentinelles (mensuel)"}
FORECAST_UNITS = {"ed_regional": "passages/jour", "ed": "passages/jour",
                  "admissions": "hospitalisations/jour",
                  "medicines": "boîtes/mois"}
# Which figures are real and which come from a synthetic replica, said on screen (the
# regional series is the real OSCOUR file; the département series, admissions and the
# pharmacy ledger are replicas; ANSM notices are real).
FORECAST_PROVENANCE = {
    "ed_regional": ("CHIFFRES RÉELS : passages OSCOUR® (Santé publique France, SurSaUD "
                    "régional), historique réel ; la prévision est un modèle.", "info"),
    "ed": ("Réplique synthétique : série départementale au format SurSaUD, calée sur les "
           "totaux régionaux réels mais inventée jour par jour. Ne pas citer comme un fait.",
           "warn"),
    "admissions": ("Réplique : passages de la réplique départementale x part hospitalisée "
                   "SAE (réelle).", "warn"),
    "medicines": ("Réplique synthétique : délivrances Open Medic mensuelles inventées.",
                  "warn"),
}
SHORTAGE_PROVENANCE = ("Stock : registre de PUI synthétique (réplique). Avis de rupture et de "
                       "tension : fichier ANSM réel (BDPM) ; la colonne « Avis ANSM » dit quelles "
                       "alertes s'appuient sur un avis réel.")
ALERTS_FILE = "alertes.csv"
ALERT_LABELS = {
    "rang": "Rang", "niveau": "Niveau", "produit_cle": "Produit", "code_produit": "Code",
    "site": "Site", "finess": "FINESS", "dep": "Dép.", "reg": "Région", "stock": "Stock",
    "jours_couverture": "Jours de couverture", "p_rupture_2s": "P(rupture) 2 sem. (%)",
    "p_rupture_4s": "P(rupture) 4 sem. (%)", "date_rupture_attendue": "Rupture attendue",
    "statut_bdpm": "Statut BDPM", "avis_ansm": "Avis ANSM", "motif": "Motif",
    "action": "Action suggérée",
    "quantite_a_commander": "Quantité à commander",
}
TOTAL_LABELS = {"serie": "Série", "territoire": "Territoire", "total": "Total attendu",
                "bas_80": "Intervalle 80 % bas", "haut_80": "Intervalle 80 % haut",
                "methode": "Méthode"}


@lru_cache(maxsize=4)
def _forecast(path: str, mtime_ns: int) -> xr.Dataset:
    return open_zarr(path).load()


def forecast_dataset(ctx, kind: str) -> xr.Dataset | None:
    if kind not in FORECAST_FILES:
        return None
    path = ctx.config.forecast_dir / FORECAST_FILES[kind]
    if not path.is_dir():
        return None
    try:
        return _forecast(str(path), path.stat().st_mtime_ns)
    except Exception:  # an unreadable store is reported as absent, not as a traceback
        return None


@lru_cache(maxsize=4)
def _alerts(path: str, mtime_ns: int) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", decimal=",", dtype={"finess": str, "dep": str, "reg": str,
                                                       "code_produit": str}, encoding="utf-8")
    for col in ("p_rupture_1s", "p_rupture_2s", "p_rupture_4s", "p_rupture_8s"):
        if col in df:
            df[col] = 100 * df[col]
    return df


def alerts(ctx) -> pd.DataFrame | None:
    path: Path = ctx.config.shortage_dir / ALERTS_FILE
    if not path.is_file():
        return None
    return _alerts(str(path), path.stat().st_mtime_ns)


def layout(ctx, params: dict[str, str]):
    kinds = [k for k in FORECAST_FILES if forecast_dataset(ctx, k) is not None]
    fc_part: list = [html.H2("Prévisions de la demande")]
    if kinds:
        kind = pick(params.get("serie"), kinds, kinds[0])
        fc_part += [
            html.Div([
                widgets.dropdown("fc-kind", [{"label": FORECAST_LABELS[k], "value": k}
                                             for k in kinds], kind, "Prévision", "22rem"),
                widgets.dropdown("fc-series", series_options(forecast_dataset(ctx, kind)),
                                 None, "Série", "28rem"),
            ], className="controls"),
            html.Div(provenance_note(kind), id="fc-provenance"),
            dcc.Loading(widgets.graph("fc-graph"), type="dot", delay_show=400),
            widgets.table("fc-totals", pd.DataFrame(), TOTAL_LABELS, page_size=10),
        ]
    else:
        fc_part.append(widgets.note(
            f"Aucune prévision dans {ctx.config.forecast_dir} : lancez « twin forecast "
            f"--out {ctx.config.forecast_dir} ».", "warn"))
    al = alerts(ctx)
    sh_part: list = [html.H2("Alerte précoce de pénurie de médicaments")]
    if al is not None:
        levels = [x for x in al.get("niveau", pd.Series(dtype=str)).dropna().unique()]
        deps = sorted(al.get("dep", pd.Series(dtype=str)).dropna().unique())
        sh_part += [
            widgets.note(SHORTAGE_PROVENANCE, "info"),
            html.Div([
                widgets.dropdown("sh-level", [{"label": "Tous", "value": "*"}] +
                                 [{"label": x, "value": x} for x in levels], "*", "Niveau"),
                widgets.dropdown("sh-dep", [{"label": "Tous", "value": "*"}] +
                                 [{"label": x, "value": x} for x in deps], "*", "Département"),
            ], className="controls"),
            widgets.table("sh-table", shortage_view(al, "*", "*"), ALERT_LABELS, page_size=15),
        ]
    else:
        sh_part.append(widgets.note(
            f"Aucune alerte dans {ctx.config.shortage_dir} : lancez « twin shortages "
            f"--out {ctx.config.shortage_dir} ».", "warn"))
    return html.Div([html.H1("Prévisions et pénuries"), *fc_part, *sh_part])


def provenance_note(kind: str):
    """The on-screen statement of where a forecast's figures come from."""
    text, tone = FORECAST_PROVENANCE.get(kind, ("", "info"))
    return widgets.note(text, tone) if text else None


def series_options(ds: xr.Dataset | None) -> list[dict[str, str]]:
    if ds is None:
        return []
    return [{"label": str(lab), "value": str(s)}
            for s, lab in zip(ds["series"].values, ds["label"].values, strict=True)]


def forecast_outputs(ctx, kind, series):
    """(figure, totals rows, totals columns, series options, chosen series)."""
    ds = forecast_dataset(ctx, kind)
    if ds is None:
        return figures.empty("Prévision introuvable."), [], [], [], None
    opts = series_options(ds)
    names = [o["value"] for o in opts]
    series = pick(series, names, names[0])
    one = ds.sel(series=series)
    q = one["forecast"].transpose("date", "quantile").values
    unit = FORECAST_UNITS[kind]
    history = None
    if kind == "ed" and str(one["level"].values) == "dep" and str(one["group"].values) == "all":
        daily = sursaud_daily()
        sub = daily[daily["dep"] == str(one["territory"].values)].set_index("date")["passages"]
        start = pd.Timestamp(ds["date"].values[0])
        history = sub[(sub.index < start) & (sub.index >= start - pd.to_timedelta(56, unit="D"))]
    if kind == "ed_regional" and str(one["level"].values) == "reg":
        history = _regional_history(str(one["territory"].values),
                                    pd.Timestamp(ds["date"].values[0]))
    fig = figures.forecast_chart(pd.DatetimeIndex(ds["date"].values), q,
                                 one["point"].values, [float(x) for x in ds["quantile"].values],
                                 title=str(one["label"].values), unit=unit, history=history)
    tq = ds["total"].values
    qs = [round(float(x), 3) for x in ds["quantile"].values]
    lo, hi = qs.index(0.1), qs.index(0.9)
    df = pd.DataFrame({"serie": ds["series"].values, "territoire": ds["label"].values,
                       "total": ds["total_point"].values, "bas_80": tq[:, lo],
                       "haut_80": tq[:, hi], "methode": ds["method_used"].values})
    return (fig, widgets.records(df), widgets.columns(df, TOTAL_LABELS,
                                                      {"total": 0, "bas_80": 0, "haut_80": 0}),
            opts, series)


@lru_cache(maxsize=1)
def _regional_real() -> pd.DataFrame:
    with warnings.catch_warnings():  # 07/08 dropped: said in the data card, not on this page
        warnings.simplefilter("ignore")
        return load_ed_daily_regional()


def _regional_history(reg: str, start: pd.Timestamp) -> pd.Series | None:
    """The real OSCOUR passages of the 8 weeks before the forecast (missing days stay gaps)."""
    try:
        df = _regional_real()
    except Exception:  # no real file embedded: the chart shows the forecast alone
        return None
    sub = df[df["reg"] == reg].set_index("date")["passages"]
    return sub[(sub.index < start) & (sub.index >= start - pd.to_timedelta(56, unit="D"))]


def shortage_view(df: pd.DataFrame, level: object, dep: object) -> pd.DataFrame:
    """The warning columns a planner reads, filtered on a level and a département that exist
    in the table (anything else means no filter)."""
    out = df
    if isinstance(level, str) and level != "*" and "niveau" in df and level in set(df["niveau"]):
        out = out[out["niveau"] == level]
    if isinstance(dep, str) and dep != "*" and "dep" in df and dep in set(df["dep"]):
        out = out[out["dep"] == dep]
    cols = [c for c in ALERT_LABELS if c in out.columns]
    out = out[cols].copy()
    if "jours_couverture" in out:
        out["jours_couverture"] = out["jours_couverture"].replace([np.inf, -np.inf], math.nan)
    return out.reset_index(drop=True)


def register(app, ctx) -> None:
    @app.callback(
        Output("fc-graph", "figure"),
        Output("fc-totals", "data"),
        Output("fc-totals", "columns"),
        Output("fc-series", "options"),
        Output("fc-series", "value"),
        Input("fc-kind", "value"),
        Input("fc-series", "value"),
    )
    def update_forecast(kind, series):
        return forecast_outputs(ctx, kind, series)

    @app.callback(Output("fc-provenance", "children"), Input("fc-kind", "value"))
    def update_provenance(kind):
        return provenance_note(kind if kind in FORECAST_FILES else "")

    @app.callback(
        Output("sh-table", "data"),
        Input("sh-level", "value"),
        Input("sh-dep", "value"),
        State("sh-table", "columns"),
    )
    def filter_alerts(level, dep, _cols):
        al = alerts(ctx)
        return [] if al is None else widgets.records(shortage_view(al, level, dep))

    register_export(app, "fc-totals", "previsions_totaux.csv")
    register_export(app, "sh-table", "alertes_penuries.csv")
