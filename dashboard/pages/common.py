"""Validation of what the browser sends, shared by the pages.

Every identifier arriving in a callback (store, scenario, indicator, level, statistic,
period, territory) is checked against what the server knows; anything else falls back to a
default or is refused, so a crafted request can neither read another file nor raise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from dash import Input, Output, State, dcc, html, no_update

from dashboard import views, widgets
from dashboard.catalogue import LEVELS, STATISTICS, Indicator, available
from dashboard.results import Catalog, Store, indicator

DEFAULT_INDICATOR = "mco_occupancy_rate"


def pick(value: object, allowed: Iterable[str], default: str) -> str:
    allowed = list(allowed)
    return value if isinstance(value, str) and value in allowed else default


def pick_many(values: object, allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return []
    return [v for v in values if isinstance(v, str) and v in allowed]


@dataclass(frozen=True)
class Choice:
    """Validated common choices for a store."""

    store: Store
    indicator: Indicator
    level: str
    scenario: str
    period: str
    days: np.ndarray
    stat: str


def choose(catalog: Catalog, store_id: object, indicator_name: object, level: object,
           scenario: object, period: object, stat: object = "mean") -> Choice | None:
    store = catalog.get(store_id)
    if store is None:
        return None
    lvl = pick(level, LEVELS, "dep")
    inds = [i.name for i in available(set(store.variables))
            if not (lvl != "dep" and not i.output.regional)]
    if not inds:
        return None
    ind = indicator(pick(indicator_name, inds, DEFAULT_INDICATOR if DEFAULT_INDICATOR in inds
                         else inds[0]), store)
    assert ind is not None
    scen = pick(scenario, store.scenarios, store.baseline)
    per = pick(period, [o["value"] for o in views.period_options(store)], views.ALL_PERIOD)
    days = views.period_days(store, per)
    assert days is not None
    st = pick(stat, STATISTICS, "mean")
    return Choice(store, ind, lvl, scen, per, days, st)


def no_store(catalog: Catalog) -> html.Div:
    problems = [html.Li(f"{sid} : {msg}") for sid, msg in catalog.problems.items()]
    return html.Div([
        html.H2("Aucun jeu de résultats"),
        html.P(["Aucun résultat de simulation lisible dans ", html.Code(str(catalog.root)),
                ". Lancez un lot (", html.Code("twin run SCENARIO --out results/NOM.zarr"),
                ") ou utilisez la page ", dcc.Link("Lancer une simulation", href="/lancer"),
                ", puis rechargez cette page."]),
        html.Ul(problems) if problems else None,
    ], className="empty-page")


def territory_options(store: Store) -> list[dict[str, str]]:
    opts = [{"label": "France (ensemble du lot)", "value": "nation:FR"}]
    opts += [{"label": f"{n} ({c}) — région", "value": f"reg:{c}"}
             for c, n in store.territory_names("reg").items()]
    opts += [{"label": f"{n} ({c})", "value": f"dep:{c}"}
             for c, n in store.territory_names("dep").items()]
    return opts


def parse_territory(store: Store, value: object) -> tuple[str, str | None]:
    """``dep:48`` → ("dep", "48"); ``nation:FR`` or anything unknown → ("nation", None)."""
    if isinstance(value, str) and ":" in value:
        level, code = value.split(":", 1)
        if level in ("dep", "reg") and code in store.territories(level):
            return level, code
    return "nation", None


def register_export(app, table_id: str, filename: str | None = None) -> None:
    """CSV export of the rows a table currently shows."""

    @app.callback(
        Output(f"{table_id}-download", "data"),
        Input(f"{table_id}-export", "n_clicks"),
        State(table_id, "derived_virtual_data"),
        State(table_id, "columns"),
        prevent_initial_call=True,
    )
    def export(n, rows, cols):
        if not n:
            return no_update
        return dcc.send_string(widgets.export_rows(rows, cols), filename or f"{table_id}.csv")
