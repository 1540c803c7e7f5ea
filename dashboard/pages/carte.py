"""Page « Carte »: a choropleth of départements or régions, overseas insets included.

Changing the indicator, scenario, period or statistic sends a ``Patch`` of the one map
trace (values, hover text, colour scale): the contours and the MapLibre view stay in the
browser. Changing the level or switching to observed values redraws the figure. A click on
a territory opens its « Territoire » page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from dash import Input, Output, Patch, State, callback_context, dcc, html, no_update

from dashboard import figures, observed, views, widgets
from dashboard.catalogue import BY_NAME, LEVELS, STATISTICS, options
from dashboard.pages.common import choose, no_store, pick, register_export

LAYERS = {"sim": "Simulé", "obs": "Observé"}
TABLE_LABELS = {"code": "Code", "territoire": "Territoire", "moyenne": "Moyenne",
                "p5": "P5", "p95": "P95", "ecart_moyen": "Écart moyen à la référence",
                "ecart_p5": "Écart P5", "ecart_p95": "Écart P95"}
PATCHABLE = {"map-indicator", "map-scenario", "map-period", "map-stat"}


def layout(ctx, store_id, params: dict[str, str]):
    c = choose(ctx.catalog, store_id, params.get("indicateur"), params.get("niveau"),
               params.get("scenario"), params.get("periode"), params.get("stat"))
    if c is None:
        return no_store(ctx.catalog)
    s = c.store
    return html.Div([
        html.H1("Carte"),
        html.Div([
            widgets.labelled("Niveau", dcc.RadioItems(
                id="map-level", options=[{"label": v, "value": k} for k, v in LEVELS.items()],
                value=c.level, inline=True), "12rem"),
            widgets.dropdown("map-indicator", options(set(s.variables), c.level),
                             c.indicator.name, "Indicateur", "24rem"),
            widgets.dropdown("map-scenario", list(s.scenarios), c.scenario, "Scénario"),
            widgets.dropdown("map-period", views.period_options(s), c.period, "Période",
                             "22rem"),
            widgets.dropdown("map-stat", [{"label": v, "value": k}
                                          for k, v in STATISTICS.items()], c.stat,
                             "Statistique", "18rem"),
            widgets.labelled("Couche", dcc.RadioItems(
                id="map-layer", options=[{"label": v, "value": k} for k, v in LAYERS.items()],
                value=pick(params.get("couche"), LAYERS, "sim"), inline=True), "10rem"),
        ], className="controls"),
        html.Div(id="map-caption", className="caption"),
        dcc.Loading(widgets.graph("map"), type="dot", delay_show=400),
        html.P("Cliquez sur un territoire pour ouvrir sa page.", className="hint"),
        widgets.table("map-table", pd.DataFrame(), TABLE_LABELS),
    ])


def map_outputs(ctx, store_id, level, indicator, scenario, period, stat, layer,
                patch: bool):
    """(figure or Patch, caption, table rows, table columns) for the map's choices."""
    c = choose(ctx.catalog, store_id, indicator, level, scenario, period, stat)
    if c is None:
        msg = "Choix invalide ou jeu de résultats introuvable."
        return figures.empty(msg), msg, [], []
    s, ind = c.store, c.indicator
    layer = pick(layer, LAYERS, "sim")
    names = s.territory_names(c.level)
    codes = s.territories(c.level)
    if layer == "obs":
        got = observed.layer(ind.name, s.members(c.level), s.dates[c.days])
        if got is None:
            offered = [BY_NAME[n].label for n in observed.OBSERVED_FOR]
            msg = (f"Pas de données observées pour « {ind.label} » : choisissez "
                   f"{', '.join(offered[:-1])} ou {offered[-1]}.")
            return figures.empty(msg, 620), msg, [], []
        values, note = got
        unit = "patients/jour" if ind.name == "ed_passages" else "lits"
        fig = figures.observed_choropleth(codes, names, values, c.level, title=note, unit=unit)
        df = pd.DataFrame({"code": list(codes), "territoire": [names[x] for x in codes],
                           "observe": [values[x].text for x in codes]})
        return (fig, note, widgets.records(df),
                widgets.columns(df, {**TABLE_LABELS, "observe": "Valeur observée"}))
    md = views.map_data(ctx.catalog, s, c.scenario, ind, c.level, c.days, c.stat)
    stat_label = STATISTICS[c.stat]
    title = f"{ind.label} — {stat_label.lower()} — scénario « {c.scenario} »"
    caption = (f"{title} ; {md.n} réplication(s) ; "
               f"{dict((o['value'], o['label']) for o in views.period_options(s))[c.period]}.")
    if c.level == "reg" and len(s.deps) < 101:
        caption += " Régions : somme des départements simulés dans ce lot."
    if c.stat.startswith("diff") and c.scenario == s.baseline:
        caption += " (Le scénario choisi est la référence : l'écart est nul.)"
    rows, cols = widgets.records(md.table), widgets.columns(md.table, TABLE_LABELS,
                                                            {k: ind.decimals for k in
                                                             md.table.columns})
    if patch:
        p = Patch()
        values = figures.map_patch_values(md.codes, md.names, md.values, unit=md.unit,
                                          decimals=ind.decimals, diverging=md.diverging,
                                          hover_lines=md.hover)
        for key in ("z", "customdata", "colorscale", "zmin", "zmax", "zmid", "zauto"):
            p["data"][figures.VALUE_TRACE][key] = values[key]
        p["data"][figures.VALUE_TRACE]["colorbar"]["title"]["text"] = values["colorbar_title"]
        p["layout"]["title"]["text"] = title
        return p, caption, rows, cols
    fig = figures.choropleth(md.codes, md.names, md.values, c.level, title=title,
                             unit=md.unit, decimals=ind.decimals, diverging=md.diverging,
                             hover_lines=md.hover)
    return fig, caption, rows, cols


def click_target(ctx, store_id, click, level, indicator, scenario):
    """The Territoire page URL (pathname, search) for a click on the map, if valid."""
    store = ctx.catalog.get(store_id)
    if store is None or not click or not click.get("points"):
        return None
    code = click["points"][0].get("location")
    lvl = pick(level, LEVELS, "dep")
    if not isinstance(code, str) or code not in store.territories(lvl):
        return None
    query = {"territoire": f"{lvl}:{code}", "indicateur": indicator, "scenario": scenario}
    return "/territoire", "?" + urlencode({k: v for k, v in query.items()
                                          if isinstance(v, str)})


def register(app, ctx) -> None:
    @app.callback(
        Output("map", "figure"),
        Output("map-caption", "children"),
        Output("map-table", "data"),
        Output("map-table", "columns"),
        Input("map-level", "value"),
        Input("map-indicator", "value"),
        Input("map-scenario", "value"),
        Input("map-period", "value"),
        Input("map-stat", "value"),
        Input("map-layer", "value"),
        State("store-select", "value"),
    )
    def update_map(level, indicator, scenario, period, stat, layer, store_id):
        trig = callback_context.triggered_id
        patch = trig in PATCHABLE and layer != "obs"
        return map_outputs(ctx, store_id, level, indicator, scenario, period, stat, layer,
                           patch)

    @app.callback(
        Output("map-indicator", "options"),
        Input("map-level", "value"),
        State("store-select", "value"),
    )
    def indicator_options(level, store_id):
        store = ctx.catalog.get(store_id)
        if store is None:
            return no_update
        return options(set(store.variables), pick(level, LEVELS, "dep"))

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Input("map", "clickData"),
        State("map-level", "value"),
        State("map-indicator", "value"),
        State("map-scenario", "value"),
        State("store-select", "value"),
        prevent_initial_call=True,
    )
    def open_territory(click, level, indicator, scenario, store_id):
        target = click_target(ctx, store_id, click, level, indicator, scenario)
        return target if target else (no_update, no_update)

    register_export(app, "map-table")
