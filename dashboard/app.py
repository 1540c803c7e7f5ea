"""The Dash application: header, navigation, routing, and the local-only asset routes.

``create_app(config)`` builds an independent app (tests start several); ``dashboard.wsgi``
exposes ``server`` for a production WSGI server and ``twin dashboard`` runs it on
127.0.0.1 with debug off.

Offline by construction: Dash serves its own JS (``serve_locally=True``), plotly.js comes
from the installed package, the stylesheet is ``dashboard/assets/style.css`` (system fonts,
no web font, no CDN theme), and the map contours are the embedded web-map GeoJSON files
served by :func:`geo` from a fixed whitelist of four names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, dcc, html
from flask import abort, send_file

from dashboard import guard
from dashboard import jobs as jobs_mod
from dashboard.access import load_users, protect
from dashboard.config import DashboardConfig
from dashboard.pages import carte, comparer, lancer, previsions, territoire, validation
from dashboard.results import Catalog
from dashboard.widgets import DROPDOWN_LABELS
from twin.paths import synthetic_dir

GEO_FILES = ("departements-carte.geojson", "regions-carte.geojson", "departements.geojson",
             "regions.geojson")

PAGES = (
    ("/carte", "Carte"),
    ("/comparer", "Comparer"),
    ("/territoire", "Territoire"),
    ("/previsions", "Prévisions et pénuries"),
    ("/validation", "Validation"),
    ("/lancer", "Lancer une simulation"),
)


@dataclass
class AppContext:
    """What every page's callbacks share: settings, the stores, the background runs."""

    config: DashboardConfig
    catalog: Catalog
    jobs: jobs_mod.Jobs


def _geo_dir() -> Path:
    return synthetic_dir() / "geo"


def create_app(config: DashboardConfig | None = None) -> Dash:
    config = config or DashboardConfig()
    catalog = Catalog(config.results)
    ctx = AppContext(config, catalog, jobs_mod.Jobs(config.runs_dir))
    app = Dash(
        __name__,
        title="Jumeau numérique — santé",
        serve_locally=True,
        assets_folder=str(Path(__file__).parent / "assets"),
        suppress_callback_exceptions=True,
        update_title=None,
        compress=False,
    )
    app.config.include_assets_files = True
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024  # uploads are small YAML files

    if config.users_file is not None:
        protect(server, load_users(config.users_file))

    @server.route("/geo/<name>")
    def geo(name: str):
        if name not in GEO_FILES:  # never a path from the request
            abort(404)
        response = send_file(_geo_dir() / name, mimetype="application/geo+json", max_age=86400)
        return response

    @server.route("/sante")
    def health():
        return {"statut": "ok", "jeux_de_resultats": len(catalog.stores())}

    pages = [(p, n) for p, n in PAGES if config.allow_runs or p != "/lancer"]
    app.layout = html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        html.Header([
            html.Div([
                html.Span("Jumeau numérique de la santé", className="brand"),
                html.Nav([dcc.Link(name, href=path, className="nav-link", id=f"nav{path}")
                          for path, name in pages], className="nav"),
            ], className="header-left"),
            html.Div([
                html.Label("Jeu de résultats", htmlFor="store-select", className="ctl-label"),
                dcc.Dropdown(id="store-select", options=_store_options(catalog),
                             value=catalog.default_id(), clearable=False,
                             labels=DROPDOWN_LABELS, placeholder="Aucun résultat",
                             style={"minWidth": "16rem"}),
            ], className="header-right"),
        ], className="header"),
        html.Main(id="page", className="page"),
        html.Footer("Résultats simulés : moyennes et intervalles P5–P95 sur les réplications. "
                    "Données observées : SurSaUD (Santé publique France), SAE (DREES) ; "
                    "valeurs masquées affichées « secret statistique » ou « < 10 ».",
                    className="footer"),
    ])

    @app.callback(
        Output("store-select", "options"),
        Output("store-select", "value"),
        Input("url", "pathname"),
        Input("url", "search"),
        State("store-select", "value"),
    )
    def sync_stores(pathname: str | None, search: str | None, current: str | None):
        """Rescan the results folder on navigation; ``?store=ID`` selects a known store."""
        catalog.refresh()
        wanted = _params(search).get("store")
        value = wanted if catalog.get(wanted) is not None else current
        if catalog.get(value) is None:
            value = catalog.default_id()
        return _store_options(catalog), value

    @app.callback(
        Output("page", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
        Input("store-select", "value"),
    )
    def route(pathname: str | None, search: str | None, store_id: str | None):
        params = _params(search)
        path = pathname or "/"
        if path in ("/", "/carte"):
            return carte.layout(ctx, store_id, params)
        if path == "/comparer":
            return comparer.layout(ctx, store_id, params)
        if path == "/territoire":
            return territoire.layout(ctx, store_id, params)
        if path == "/previsions":
            return previsions.layout(ctx, params)
        if path == "/validation":
            return validation.layout(ctx, params)
        if path == "/lancer" and config.allow_runs:
            return lancer.layout(ctx, params)
        return html.Div([html.H2("Page introuvable"),
                         dcc.Link("Retour à la carte", href="/carte")])

    carte.register(app, ctx)
    comparer.register(app, ctx)
    territoire.register(app, ctx)
    previsions.register(app, ctx)
    validation.register(app, ctx)
    if config.allow_runs:
        lancer.register(app, ctx)
    guard.install(app)
    app._twin_context = ctx  # for tests and the benchmark
    return app


def _params(search: str | None) -> dict[str, str]:
    """Query-string values (first of each); every page validates them against what exists."""
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items() if v}


def _store_options(catalog: Catalog) -> list[dict[str, str]]:
    out = []
    for sid, store in catalog.stores().items():
        n = len(store.scenarios)
        out.append({"label": f"{sid} ({n} scénario{'s' if n > 1 else ''}, "
                             f"{store.replications} réplications)", "value": sid})
    return out
