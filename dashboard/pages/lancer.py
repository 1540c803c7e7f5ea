"""Page « Lancer une simulation »: a scenario from a form or an uploaded YAML file,
validated exactly as the CLI does (``twin.scenario.check_scenario``, same messages), run by
the batch runner in the background (:mod:`dashboard.jobs`), followed until its results open.

A run always holds two scenarios so that the results can be compared: the user's scenario
and its reference — the same territories, period, replications and seed without the
interventions (common random numbers make the difference the interventions' effect).

Upload safety: the file is refused above ``max_upload_bytes`` before decoding, must be
UTF-8, and is parsed by the scenario loader (safe YAML, duplicate keys refused, strict
pydantic models); it is written only into a fresh temporary folder or run folder whose
names are made here, never from the file name sent.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from datetime import date
from pathlib import Path

import yaml
from dash import Input, Output, State, callback_context, dcc, html, no_update

from dashboard import widgets
from dashboard.jobs import SLUG, copy_library
from twin.errors import DataError
from twin.geography import departements
from twin.scenario import check_scenario

RESOURCES = {
    "medicine": "Lits de médecine", "surgery": "Lits de chirurgie",
    "icu": "Lits de réanimation", "ed_places": "Places d'urgences", "smur": "Équipes SMUR",
}
LEVERS = {"none": "Aucun (situation de référence)", "capacity": "Variation de capacité",
          "epidemic": "Vague épidémique (afflux aux urgences)"}
REFERENCE_SUFFIX = "_reference"


def layout(ctx, params: dict[str, str]):
    deps = departements()
    territory_opts = [{"label": f"{r.nom} ({r.dep})", "value": r.dep}
                      for r in deps.itertuples()]
    return html.Div([
        html.H1("Lancer une simulation"),
        html.P("Le scénario est validé comme en ligne de commande, puis exécuté en arrière-"
               "plan par le lanceur de lots (jamais dans le serveur web). Une situation de "
               "référence (mêmes territoires, période et graine, sans levier) est simulée avec "
               "lui pour la comparaison.", className="hint"),
        html.Div([
            html.Div([
                html.H2("Formulaire"),
                html.Div([
                    widgets.labelled("Nom (minuscules, chiffres, _ ou -)", dcc.Input(
                        id="run-name", type="text", value="essai", maxLength=64), "14rem"),
                    widgets.labelled("Description", dcc.Input(
                        id="run-description", type="text", maxLength=300,
                        value="Essai lancé depuis le tableau de bord"), "22rem"),
                ], className="controls"),
                html.Div([
                    widgets.dropdown("run-territories", territory_opts, ["48"],
                                     "Départements", "22rem", multi=True),
                    widgets.labelled("Premier jour", dcc.DatePickerSingle(
                        id="run-start", date=date(2023, 1, 9), display_format="DD/MM/YYYY",
                        first_day_of_week=1, min_date_allowed=date(2019, 1, 1),
                        max_date_allowed=date(2030, 12, 31)), "10rem"),
                    widgets.labelled("Jours", dcc.Input(id="run-days", type="number", value=7,
                                                        min=1, max=366, step=1), "6rem"),
                    widgets.labelled("Réplications", dcc.Input(
                        id="run-replications", type="number", value=3, min=1, max=200,
                        step=1), "7rem"),
                    widgets.labelled("Graine", dcc.Input(id="run-seed", type="number",
                                                         value=20260101, min=0, step=1),
                                     "9rem"),
                ], className="controls"),
                html.Div([
                    widgets.dropdown("run-lever", [{"label": v, "value": k}
                                                   for k, v in LEVERS.items()], "capacity",
                                     "Levier", "18rem"),
                    widgets.dropdown("run-resource", [{"label": v, "value": k}
                                                      for k, v in RESOURCES.items()],
                                     "medicine", "Ressource", "14rem"),
                    widgets.labelled("Variation (%)", dcc.Input(
                        id="run-change", type="number", value=-20, min=-100, max=500,
                        step=1), "8rem"),
                ], className="controls"),
            ], className="half"),
            html.Div([
                html.H2("… ou un fichier YAML"),
                dcc.Upload(id="run-upload", children=html.Div(
                    ["Déposer un fichier de scénario ici ou ", html.A("le choisir")]),
                    className="upload", max_size=ctx.config.max_upload_bytes,
                    accept=".yaml,.yml", multiple=False),
                html.Div(id="run-upload-name", className="hint"),
                html.Button("Utiliser le formulaire", id="run-clear-upload", n_clicks=0,
                            className="btn-secondary"),
            ], className="half"),
        ], className="row"),
        html.Div([
            html.Button("Valider", id="run-validate", n_clicks=0, className="btn"),
            html.Button("Lancer", id="run-submit", n_clicks=0, className="btn btn-primary"),
        ], className="controls"),
        html.Div(id="run-messages"),
        html.Pre(id="run-yaml", className="yaml-preview"),
        dcc.Store(id="run-job"),
        dcc.Interval(id="run-poll", interval=1000, disabled=True),
        html.Div([
            html.Progress(id="run-progress", value="0", max="1"),
            html.Span(id="run-state", className="run-state"),
        ], className="progress-row"),
        html.Pre(id="run-log", className="log"),
        html.Div(id="run-open"),
    ])


def form_scenario(name, description, territories, start, days, replications, seed, lever,
                  resource, change) -> dict:
    """The scenario mapping the form describes (validated afterwards by the loader)."""
    data: dict = {
        "name": name if isinstance(name, str) else "",
        "description": description if isinstance(description, str) else "",
        "territories": {"departements": [str(t) for t in (territories or [])]},
        "period": {"start": str(start) if start else None, "days": days},
        "replications": replications,
        "seed": seed,
    }
    if lever == "capacity":
        data["interventions"] = [{
            "type": "capacity_change", "resource": resource,
            "change": f"{change:+g}%" if isinstance(change, int | float) else change}]
    elif lever == "epidemic":
        factor = 1 + (change or 0) / 100 if isinstance(change, int | float) else change
        data["interventions"] = [{
            "type": "demand_shock", "kind": "epidemic",
            "shape": {"curve": "plateau", "peak_multiplier": factor}}]
    return data


def decode_upload(contents: str | None, max_bytes: int) -> str:
    """The uploaded file as text; ``ValueError`` with a French message otherwise."""
    if not contents or "," not in contents:
        raise ValueError("Fichier vide ou illisible.")
    _, b64 = contents.split(",", 1)
    if len(b64) > 4 * (max_bytes // 3 + 2):
        raise ValueError(f"Fichier trop volumineux (limite : {max_bytes // 1024} Kio).")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("Fichier illisible (encodage du téléversement invalide).") from None
    if len(raw) > max_bytes:
        raise ValueError(f"Fichier trop volumineux (limite : {max_bytes // 1024} Kio).")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("Le fichier doit être encodé en UTF-8.") from None


def validate_text(text: str, file_label: str = "scenario.yaml"):
    """Validate a scenario text with the CLI's loader, in a fresh folder beside the library.

    Returns ``(scenario, problems)``: the loaded scenario or None, and the problem lines
    exactly as the CLI prints them (the temporary folder left out of the file names)."""
    with tempfile.TemporaryDirectory(prefix="twin-scenario-") as tmp:
        folder = Path(tmp)
        copy_library(folder)
        path = folder / file_label
        path.write_text(text, encoding="utf-8")
        try:
            scenario = check_scenario(path)
        except DataError as exc:
            return None, [f"error: {line}".replace(str(folder) + "/", "")
                          for line in exc.message().splitlines()]
    return scenario, []


def reference_of(text: str, name: str) -> str:
    """The reference companion of a scenario: the same file without its own interventions
    (a base it ``extends`` keeps its own, as in the CLI: the reference of a variant is the
    scenario it extends)."""
    data = yaml.safe_load(text)
    data.pop("interventions", None)
    data.pop("sweep", None)
    data["name"] = f"{name}{REFERENCE_SUFFIX}"[:64]
    data["description"] = f"Référence de « {name} » (sans levier)"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def prepare(ctx, upload, name, description, territories, start, days, replications, seed,
            lever, resource, change):
    """(scenario texts to run {name: yaml} or None, messages, YAML shown)."""
    if upload:
        try:
            text = decode_upload(upload, ctx.config.max_upload_bytes)
        except ValueError as exc:
            return None, [str(exc)], ""
        label = "televersement.yaml"
    else:
        data = form_scenario(name, description, territories, start, days, replications, seed,
                             lever, resource, change)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        label = "formulaire.yaml"
    scenario, problems = validate_text(text, label)
    if scenario is None:
        return None, problems, text
    sname = str(getattr(scenario, "name", ""))
    if not SLUG.match(sname):
        return None, [f"Nom de scénario inutilisable : {sname!r}"], text
    texts = {sname: text}
    if getattr(scenario, "interventions", ()):
        ref = reference_of(text, sname)
        ref_scenario, ref_problems = validate_text(ref, f"{sname}{REFERENCE_SUFFIX}.yaml")
        if ref_scenario is None:
            return None, ref_problems, text
        texts = {f"{sname}{REFERENCE_SUFFIX}"[:64]: ref, sname: text}
    return texts, [], text


def _messages(problems: list[str], ok: str | None = None):
    if problems:
        return html.Div([html.Strong("Scénario refusé :"),
                         html.Ul([html.Li(p) for p in problems])], className="note note-error",
                        id="run-errors")
    return widgets.note(ok or "Scénario valide.", "ok")


def register(app, ctx) -> None:
    form_inputs = [State("run-upload", "contents"), State("run-name", "value"),
                   State("run-description", "value"), State("run-territories", "value"),
                   State("run-start", "date"), State("run-days", "value"),
                   State("run-replications", "value"), State("run-seed", "value"),
                   State("run-lever", "value"), State("run-resource", "value"),
                   State("run-change", "value")]

    @app.callback(
        Output("run-upload-name", "children"),
        Output("run-upload", "contents"),
        Input("run-upload", "filename"),
        Input("run-clear-upload", "n_clicks"),
        State("run-upload", "contents"),
        prevent_initial_call=True,
    )
    def upload_name(filename, _clear, contents):
        if callback_context.triggered_id == "run-clear-upload":
            return "Formulaire utilisé.", None
        if not contents:
            return f"Fichier refusé (plus de {ctx.config.max_upload_bytes // 1024} Kio ?)", None
        return f"Fichier chargé : {filename}. Il remplace le formulaire.", no_update

    @app.callback(
        Output("run-messages", "children", allow_duplicate=True),
        Output("run-yaml", "children", allow_duplicate=True),
        Input("run-validate", "n_clicks"),
        *form_inputs,
        prevent_initial_call=True,
    )
    def validate(n, *form):
        _texts, problems, text = prepare(ctx, *form)
        return _messages(problems, "Scénario valide : prêt à être lancé."), text

    @app.callback(
        Output("run-messages", "children"),
        Output("run-yaml", "children"),
        Output("run-job", "data"),
        Output("run-poll", "disabled"),
        Input("run-submit", "n_clicks"),
        *form_inputs,
        prevent_initial_call=True,
    )
    def submit(n, *form):
        texts, problems, text = prepare(ctx, *form)
        if texts is None:
            return _messages(problems), text, no_update, True
        try:
            run_id = ctx.jobs.submit(texts)
        except (RuntimeError, ValueError) as exc:
            return _messages([str(exc)]), text, no_update, True
        return (_messages([], f"Simulation lancée (identifiant {run_id})."), text,
                {"id": run_id}, False)

    @app.callback(
        Output("run-progress", "value"),
        Output("run-state", "children"),
        Output("run-log", "children"),
        Output("run-open", "children"),
        Output("run-poll", "disabled", allow_duplicate=True),
        Input("run-poll", "n_intervals"),
        State("run-job", "data"),
        prevent_initial_call=True,
    )
    def poll(_n, job):
        return poll_outputs(ctx, job)


def poll_outputs(ctx, job):
    """(progress, state text, log tail, open-results link, stop polling?)."""
    status = ctx.jobs.status((job or {}).get("id"))
    if status is None:
        return "0", "Aucune simulation suivie.", "", None, True
    pct = f"{100 * status.progress:.0f}\u00a0%"
    text = f"{status.state} — {pct}"
    link = None
    if status.finished and status.state == "terminé" and status.store_id:
        ctx.catalog.forget(status.store_id)
        ctx.catalog.refresh()
        link = dcc.Link("Ouvrir les résultats", id="run-open-link",
                        href=f"/comparer?store={status.store_id}", className="btn btn-primary")
    elif status.state == "échec":
        text += f" (code {status.returncode})" if status.returncode is not None else ""
    return str(status.progress), text, status.log_tail, link, status.finished
