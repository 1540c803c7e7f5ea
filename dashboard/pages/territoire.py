"""Page « Territoire »: daily series of a territory with P5–P95 bands per scenario, the
capacity line, the observed values (SurSaUD passages, masked days shown as such) and a
summary table over the period."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard import figures, observed, views, widgets
from dashboard.catalogue import BY_NAME, options
from dashboard.pages.common import (
    choose,
    no_store,
    parse_territory,
    pick_many,
    register_export,
    territory_options,
)
from twin.output_registry import Ratio

TABLE_LABELS = {"scenario": "Scénario", "moyenne": "Moyenne", "p5": "P5", "p95": "P95",
                "ecart_moyen": "Écart moyen à la référence", "ecart_p5": "Écart P5",
                "ecart_p95": "Écart P95", "ecart_pct": "Écart (%)",
                "replications": "Réplications"}


def layout(ctx, store_id, params: dict[str, str]):
    c = choose(ctx.catalog, store_id, params.get("indicateur"), "dep",
               params.get("scenario"), params.get("periode"))
    if c is None:
        return no_store(ctx.catalog)
    s = c.store
    level, code = parse_territory(s, params.get("territoire"))
    terr = f"{level}:{code}" if code else f"dep:{s.deps[0]}"
    scen = [s.baseline] + ([c.scenario] if c.scenario != s.baseline else [])
    return html.Div([
        html.H1(id="terr-title"),
        html.Div([
            widgets.dropdown("terr-code", territory_options(s), terr, "Territoire", "22rem"),
            widgets.dropdown("terr-indicator", options(set(s.variables), "dep"),
                             c.indicator.name, "Indicateur", "24rem"),
            widgets.dropdown("terr-scenarios", list(s.scenarios), scen, "Scénarios", "22rem",
                             multi=True),
            widgets.dropdown("terr-period", views.period_options(s), c.period,
                             "Période (tableau)", "20rem"),
        ], className="controls"),
        html.Div(id="terr-caption", className="caption"),
        dcc.Loading(widgets.graph("terr-graph"), type="dot", delay_show=400),
        widgets.table("terr-table", pd.DataFrame(), TABLE_LABELS),
    ])


def territory_outputs(ctx, store_id, terr, indicator, scenarios, period):
    """(title, figure, caption, table rows, table columns)."""
    s = ctx.catalog.get(store_id)
    if s is None:
        msg = "Jeu de résultats introuvable."
        return "Territoire", figures.empty(msg), msg, [], []
    level, code = parse_territory(s, terr)
    lvl = "nation" if code is None else level
    ind_name = indicator
    if lvl != "dep" and isinstance(ind_name, str) and ind_name in BY_NAME \
            and not BY_NAME[ind_name].output.regional:
        msg = f"« {BY_NAME[ind_name].label} » n'est disponible que par département."
        return "Territoire", figures.empty(msg), msg, [], []
    c = choose(ctx.catalog, store_id, indicator, "dep" if lvl == "dep" else "reg", None, period)
    assert c is not None
    ind = c.indicator
    chosen = pick_many(scenarios, s.scenarios) or [s.baseline]
    names = s.territory_names(level) if code else {}
    label = f"{names[code]} ({code})" if code else "France (ensemble du lot)"
    fans = views.territory_fans(ctx.catalog, s, chosen, ind, level, code)
    capacity = None
    cap_label = "Capacité"
    if ind.capacity:
        cap = BY_NAME[ind.capacity]
        cap_fans = views.territory_fans(ctx.catalog, s, chosen[:1], cap, level, code)
        capacity = cap_fans[chosen[0]]["mean"]
        cap_label = f"{cap.label} (moyenne, « {chosen[0]} »)"
    thresholds = ind.thresholds[-1:] if isinstance(ind.output.aggregation, Ratio) else ()
    obs, obs_label = None, "Observé"
    caption = f"{label} — bandes P5–P95 et P25–P75 sur les réplications, médiane en trait plein."
    if ind.name == "ed_passages" and lvl == "dep":
        obs, shift = observed.ed_daily(code, s.dates)
        obs_label = "Observé (SurSaUD)"
        if shift:
            obs_label += f", {shift} j plus tôt"
            caption += (f" Observé : mêmes jours de semaine {shift} jours plus tôt "
                        "(données observées antérieures à la période simulée).")
    fig = figures.fan_chart(s.dates, fans, title=f"{ind.label} — {label}", unit=ind.unit,
                            decimals=ind.decimals, capacity=capacity, capacity_label=cap_label,
                            observed=obs, observed_label=obs_label, thresholds=thresholds)
    df = views.scenario_intervals(ctx.catalog, s, chosen, ind, c.days, level, code)
    df = df[["scenario", "moyenne", "p5", "p95", "ecart_moyen", "ecart_p5", "ecart_p95",
             "ecart_pct", "replications"]]
    dec = {k: ind.decimals for k in df.columns}
    dec["replications"] = 0
    dec["ecart_pct"] = 1
    return (f"Territoire : {label}", fig, caption, widgets.records(df.replace({np.nan: None})),
            widgets.columns(df, TABLE_LABELS, dec))


def register(app, ctx) -> None:
    @app.callback(
        Output("terr-title", "children"),
        Output("terr-graph", "figure"),
        Output("terr-caption", "children"),
        Output("terr-table", "data"),
        Output("terr-table", "columns"),
        Input("terr-code", "value"),
        Input("terr-indicator", "value"),
        Input("terr-scenarios", "value"),
        Input("terr-period", "value"),
        State("store-select", "value"),
    )
    def update(terr, indicator, scenarios, period, store_id):
        return territory_outputs(ctx, store_id, terr, indicator, scenarios, period)

    register_export(app, "terr-table")
