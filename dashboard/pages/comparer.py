"""Page « Comparer »: scenarios against the baseline, with their uncertainty.

* the mean difference over the period with its P5–P95 interval (paired by replication);
* the daily difference as a fan (P5–P95, P25–P75, median);
* the probability of exceeding a capacity threshold (occupancy rates) with a 90 % interval;
* the territories ranked by the size of the effect;
* the scenario's levers as resolved in the store (what explains the difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard import figures, views, widgets
from dashboard import frenchfmt as fr
from dashboard.catalogue import LEVELS, options
from dashboard.pages.common import (
    choose,
    no_store,
    parse_territory,
    pick,
    pick_many,
    register_export,
    territory_options,
)

RANK_LABELS = {"rang": "Rang", "code": "Code", "territoire": "Territoire",
               "reference": "Référence (moyenne)", "ecart_moyen": "Écart moyen",
               "ecart_p5": "Écart P5", "ecart_p95": "Écart P95", "ecart_pct": "Écart (%)",
               "p_degradation": "Probabilité de dégradation (%)"}
EXC_LABELS = {"scenario": "Scénario", "probabilite": "Probabilité",
              "ic90_bas": "IC 90 % bas", "ic90_haut": "IC 90 % haut",
              "replications": "Réplications"}


def layout(ctx, store_id, params: dict[str, str]):
    c = choose(ctx.catalog, store_id, params.get("indicateur"), "dep", None,
               params.get("periode"))
    if c is None:
        return no_store(ctx.catalog)
    s = c.store
    others = [x for x in s.scenarios if x != s.baseline]
    chosen = pick_many(params.get("scenarios", "").split(","), others) or others[:2]
    return html.Div([
        html.H1("Comparer des scénarios"),
        html.P(f"Référence : « {s.baseline} ». Écarts appariés réplication par réplication "
               "(mêmes nombres aléatoires dans tous les scénarios).", className="hint"),
        html.Div([
            widgets.dropdown("cmp-scenarios", others, chosen, "Scénarios comparés", "24rem",
                             multi=True),
            widgets.dropdown("cmp-indicator", options(set(s.variables), "reg"),
                             c.indicator.name, "Indicateur", "24rem"),
            widgets.dropdown("cmp-territory", territory_options(s), "nation:FR", "Territoire",
                             "20rem"),
            widgets.dropdown("cmp-period", views.period_options(s), c.period, "Période",
                             "20rem"),
        ], className="controls"),
        html.Div([
            html.Div(dcc.Loading(widgets.graph("cmp-intervals"), type="dot", delay_show=400),
                     className="half"),
            html.Div(dcc.Loading(widgets.graph("cmp-fan"), type="dot", delay_show=400),
                     className="half"),
        ], className="row"),
        html.H2("Probabilité de dépasser un seuil de capacité"),
        html.Div([
            widgets.dropdown("cmp-threshold-indicator",
                             [o for o in options(set(s.variables), "reg")
                              if o["value"] in ("mco_occupancy_rate", "icu_occupancy_rate")],
                             "mco_occupancy_rate" if "mco_capacity" in s.variables else None,
                             "Taux d'occupation", "20rem"),
            widgets.labelled("Seuil (%)", dcc.Input(id="cmp-threshold", type="number",
                                                    value=95, min=1, max=200, step=1,
                                                    debounce=True), "8rem"),
        ], className="controls"),
        html.Div([
            html.Div(dcc.Loading(widgets.graph("cmp-exceed"), type="dot", delay_show=400),
                     className="half"),
            html.Div(widgets.table("cmp-exceed-table", pd.DataFrame(), EXC_LABELS),
                     className="half"),
        ], className="row"),
        html.H2("Territoires classés par impact"),
        html.Div([
            widgets.dropdown("cmp-rank-scenario", others, chosen[0] if chosen else None,
                             "Scénario", "18rem"),
            widgets.labelled("Niveau", dcc.RadioItems(
                id="cmp-rank-level", options=[{"label": v, "value": k}
                                              for k, v in LEVELS.items()],
                value="dep", inline=True), "12rem"),
        ], className="controls"),
        widgets.table("cmp-rank", pd.DataFrame(), RANK_LABELS),
        html.H2("Leviers du scénario (réglages différents de la référence)"),
        html.Div(id="cmp-levers"),
    ])


def compare_outputs(ctx, store_id, scenarios, indicator, territory, period):
    """(interval figure, difference fan figure)."""
    s = ctx.catalog.get(store_id)
    level, code = parse_territory(s, territory) if s else ("nation", None)
    c = choose(ctx.catalog, store_id, indicator, "reg" if level != "dep" else "dep", None,
               period)
    if c is None:
        msg = "Jeu de résultats introuvable."
        return figures.empty(msg), figures.empty(msg)
    s, ind = c.store, c.indicator
    chosen = pick_many(scenarios, [x for x in s.scenarios if x != s.baseline])
    if not chosen:
        msg = "Choisissez au moins un scénario à comparer à la référence."
        return figures.empty(msg), figures.empty(msg)
    where = "France (ensemble du lot)" if code is None else \
        f"{s.territory_names(level)[code]} ({code})"
    df = views.scenario_intervals(ctx.catalog, s, chosen, ind, c.days, level, code)
    fig1 = figures.interval_chart(df["scenario"], df["ecart_moyen"], df["ecart_p5"],
                                  df["ecart_p95"], unit=ind.unit, decimals=ind.decimals,
                                  title=f"{ind.label} : écart à « {s.baseline} » — {where}")
    fans = views.difference_fans(ctx.catalog, s, chosen, ind, level, code)
    fig2 = figures.fan_chart(s.dates, fans, title=f"Écart quotidien à « {s.baseline} »",
                             unit=ind.unit, decimals=ind.decimals)
    fig2.update_yaxes(rangemode="normal")
    return fig1, fig2


def exceed_outputs(ctx, store_id, scenarios, indicator, threshold, territory, period):
    s = ctx.catalog.get(store_id)
    if s is None or indicator not in ("mco_occupancy_rate", "icu_occupancy_rate"):
        msg = "Choisissez un taux d'occupation présent dans le jeu de résultats."
        return figures.empty(msg), [], []
    level, code = parse_territory(s, territory)
    c = choose(ctx.catalog, store_id, indicator, "reg" if level != "dep" else "dep", None,
               period)
    try:
        thr = float(threshold)
    except (TypeError, ValueError):
        thr = float("nan")
    if c is None or not np.isfinite(thr) or not 0 < thr <= 1000:
        msg = "Seuil invalide : entrez un pourcentage, par exemple 95."
        return figures.empty(msg), [], []
    chosen = pick_many(scenarios, s.scenarios)
    df = views.exceedance_table(ctx.catalog, s, chosen, c.indicator, c.days, level, code, thr)
    fig = figures.exceedance_chart(
        df["scenario"], df["probabilite"], df["ic90_bas"], df["ic90_haut"],
        title=f"Probabilité que le {c.indicator.label[0].lower()}{c.indicator.label[1:]} "
              f"dépasse {fr.number(thr)} % au moins un jour")
    show = df.copy()
    for col in ("probabilite", "ic90_bas", "ic90_haut"):
        show[col] = 100 * show[col]
    return fig, widgets.records(show), widgets.columns(
        show, {**EXC_LABELS, "probabilite": "Probabilité (%)"},
        {"probabilite": 0, "ic90_bas": 0, "ic90_haut": 0, "replications": 0})


def rank_outputs(ctx, store_id, scenario, indicator, level, period):
    c = choose(ctx.catalog, store_id, indicator, level, scenario, period)
    if c is None or c.scenario == c.store.baseline:
        return [], [], widgets.note("Choisissez un scénario autre que la référence.")
    df = views.impact_ranking(ctx.catalog, c.store, c.scenario, c.indicator, c.days, c.level)
    dec = {k: c.indicator.decimals for k in df.columns}
    dec.update({"rang": 0, "ecart_pct": 1, "p_degradation": 0})
    lev = views.levers(c.store, c.scenario)
    levers = (widgets.table("cmp-levers-table", lev, {"parametre": "Paramètre",
                                                       "valeur": "Valeur",
                                                       "reference": "Référence"})
              if len(lev) else widgets.note("Le jeu de résultats ne décrit aucun réglage de "
                                            "ce scénario différent de la référence."))
    return widgets.records(df), widgets.columns(df, RANK_LABELS, dec), levers


def register(app, ctx) -> None:
    @app.callback(
        Output("cmp-intervals", "figure"),
        Output("cmp-fan", "figure"),
        Input("cmp-scenarios", "value"),
        Input("cmp-indicator", "value"),
        Input("cmp-territory", "value"),
        Input("cmp-period", "value"),
        State("store-select", "value"),
    )
    def update(scenarios, indicator, territory, period, store_id):
        return compare_outputs(ctx, store_id, scenarios, indicator, territory, period)

    @app.callback(
        Output("cmp-exceed", "figure"),
        Output("cmp-exceed-table", "data"),
        Output("cmp-exceed-table", "columns"),
        Input("cmp-scenarios", "value"),
        Input("cmp-threshold-indicator", "value"),
        Input("cmp-threshold", "value"),
        Input("cmp-territory", "value"),
        Input("cmp-period", "value"),
        State("store-select", "value"),
    )
    def exceed(scenarios, indicator, threshold, territory, period, store_id):
        return exceed_outputs(ctx, store_id, scenarios, indicator, threshold, territory,
                              period)

    @app.callback(
        Output("cmp-rank", "data"),
        Output("cmp-rank", "columns"),
        Output("cmp-levers", "children"),
        Input("cmp-rank-scenario", "value"),
        Input("cmp-indicator", "value"),
        Input("cmp-rank-level", "value"),
        Input("cmp-period", "value"),
        State("store-select", "value"),
    )
    def rank(scenario, indicator, level, period, store_id):
        return rank_outputs(ctx, store_id, scenario, indicator, pick(level, LEVELS, "dep"),
                            period)

    register_export(app, "cmp-rank")
    register_export(app, "cmp-exceed-table")
