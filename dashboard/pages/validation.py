"""Page « Validation »: the baseline against SAE, read from a ``twin validate`` folder.

Reads ``validation.json`` (headline figures, settings, provenance, held-out years) and
``validation_departements.csv`` of the configured folder (``--validation``, default
``<results>/validation``). The file names are fixed here; the browser only chooses an
indicator among those in the file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import figures, widgets
from dashboard.pages.common import pick, register_export

JSON_FILE = "validation.json"
DEP_FILE = "validation_departements.csv"
HEADLINE_LABELS = {"critere": "Critère", "mesure": "Mesure", "cible": "Cible",
                   "verdict": "Verdict"}
NATIONAL_LABELS = {"label": "Indicateur", "observed": "Observé (SAE)",
                   "expected": "Attendu", "simulated": "Simulé", "ratio": "Rapport",
                   "intervalle": "Min – max des réplications", "error_pct": "Écart (%)"}
HELDOUT_LABELS = {"label": "Indicateur", "model_mape": "MAPE modèle (%)",
                  "persistence_mape": "MAPE persistance (%)",
                  "model_better": "Départements où le modèle fait mieux",
                  "departements": "Départements"}
LOS_LABELS = {"groupe": "Patients", "median_hours": "Médiane (h)",
              "share_over_8h": "Plus de 8 h (%)", "episodes": "Passages simulés"}
GROUPS_FR = {"all": "Tous", "home": "Rentrés à domicile", "admitted": "Hospitalisés",
             "boarding_admitted": "Attente d'un lit (hospitalisés)"}
PROVENANCE = ("Observé : fichiers SAE (DREES) réels embarqués. Simulé : le jumeau, dont la "
              "forme journalière de la demande vient d'une réplique synthétique de SurSaUD "
              "(totaux annuels = passages SAE).")


@lru_cache(maxsize=4)
def _read(folder: str, mtime_ns: int) -> tuple[dict, pd.DataFrame]:
    root = Path(folder)
    payload = json.loads((root / JSON_FILE).read_text(encoding="utf-8"))
    deps = pd.read_csv(root / DEP_FILE, dtype={"dep": str, "reg": str})
    return payload, deps


def report(ctx) -> tuple[dict, pd.DataFrame] | None:
    """The report of the configured folder, or None when absent or unreadable."""
    folder: Path = ctx.config.validation_dir
    path = folder / JSON_FILE
    if not path.is_file() or not (folder / DEP_FILE).is_file():
        return None
    try:
        return _read(str(folder), path.stat().st_mtime_ns)
    except (OSError, ValueError, KeyError):
        return None


def headline_rows(m: dict) -> pd.DataFrame:
    """The issue's targets and whether this report meets them (French text)."""
    def verdict(ok: bool) -> str:
        return "atteint" if ok else "non atteint"

    ed = (m["national_ratio_ed_passages"] - 1) * 100
    rows = [("Passages aux urgences, France (écart)", f"{ed:+.2f} %", "± 2 %",
             verdict(abs(ed) <= 2))]
    for key, label in (("ed_passages", "passages"), ("ed_admissions", "hospitalisations"),
                       ("mco_occupied", "lits MCO occupés")):
        v = m[f"mape_{key}"]
        rows.append((f"MAPE départements — {label}", f"{v:.1f} %", "≤ 10 %", verdict(v <= 10)))
    for key, label in (("mco", "MCO"), ("icu", "réanimation adulte")):
        p = m[f"{key}_occupancy_points"]
        rows.append((f"Occupation {label} : simulé {m[f'{key}_occupancy_sim_pct']:.1f} %, "
                     f"observé {m[f'{key}_occupancy_obs_pct']:.1f} %", f"{p:+.1f} pts",
                     "≤ 3 pts", verdict(abs(p) <= 3)))
    df = pd.DataFrame(rows, columns=list(HEADLINE_LABELS))
    df["mesure"] = df["mesure"].str.replace(".", ",", regex=False)
    df["critere"] = df["critere"].str.replace(".", ",", regex=False)
    return df


def national_rows(payload: dict) -> pd.DataFrame:
    df = pd.DataFrame(payload["france"])
    df["intervalle"] = [f"{a:.3f} – {b:.3f}".replace(".", ",")
                        for a, b in zip(df["ratio_min"], df["ratio_max"], strict=True)]
    return df[list(NATIONAL_LABELS)].round({"observed": 0, "expected": 0, "simulated": 0,
                                            "ratio": 3, "error_pct": 1})


def los_rows(payload: dict) -> pd.DataFrame:
    df = pd.DataFrame(payload["ed_length_of_stay"])
    df["groupe"] = df["group"].map(GROUPS_FR)
    df["share_over_8h"] = (df["share_over_8h"] * 100).round(1)
    return df[list(LOS_LABELS)]


def error_map(deps: pd.DataFrame, indicator: str):
    d = deps[deps["indicator"] == indicator]
    names = dict(zip(d["dep"], d["nom"], strict=True))
    err = d["error_pct"].to_numpy(dtype=float)
    hover = [
        "n.d." if not np.isfinite(e) else f"écart {e:+.1f} %".replace(".", ",")
        + ("" if c else " (SAE incomplet)")
        for e, c in zip(err, d["complete"].fillna(True), strict=True)
    ]
    return figures.choropleth(list(d["dep"]), names, np.clip(err, -30, 30), "dep",
                              title="Écart simulé / observé par département (borné à ± 30 %)",
                              unit="%", decimals=1, diverging=True, hover_lines=hover)


def layout(ctx, params: dict[str, str]):
    rep = report(ctx)
    if rep is None:
        return html.Div([
            html.H2("Validation"),
            widgets.note(f"Aucun rapport de validation dans {ctx.config.validation_dir} : "
                         f"lancez « twin validate --out {ctx.config.validation_dir} ».", "warn"),
        ])
    payload, deps = rep
    s = payload["settings"]
    indicators = list(dict.fromkeys(deps["indicator"]))
    labels = dict(zip(deps["indicator"], deps["label"], strict=False))
    ind = pick(params.get("indicateur"), indicators, indicators[0])
    parts: list = [
        html.H2("Validation : le jumeau face à la SAE"),
        html.P(f"SAE {s['year']}, {len(s['deps'])} départements, {s['days']} jours à partir du "
               f"{s['start']}, {s['replications']} réplication(s). Rapport complet : "
               f"validation.html dans {ctx.config.validation_dir}."),
        widgets.note(PROVENANCE, "info"),
        widgets.table("val-headline", headline_rows(payload["metrics"]), HEADLINE_LABELS,
                      page_size=10),
        html.H3("Totaux nationaux"),
        widgets.table("val-national", national_rows(payload), NATIONAL_LABELS,
                      {"observed": 0, "expected": 0, "simulated": 0, "ratio": 3,
                       "error_pct": 1}, page_size=10),
        html.Div([widgets.dropdown("val-indicator",
                                   [{"label": labels[i], "value": i} for i in indicators],
                                   ind, "Indicateur", "24rem")], className="controls"),
        dcc.Loading(widgets.graph("val-map", error_map(deps, ind)), type="dot",
                    delay_show=400),
        html.H3("Durée de passage simulée (non calibrée)"),
        widgets.table("val-los", los_rows(payload), LOS_LABELS,
                      {"median_hours": 2, "share_over_8h": 1, "episodes": 0}, page_size=10),
    ]
    for k, (key, rows) in enumerate(payload.get("heldout", {}).items()):
        c, t = key.split("->")
        held = pd.DataFrame(rows)[list(HELDOUT_LABELS)].round(1)
        parts += [html.H3(f"Année non vue : calibré sur SAE {c}, comparé à SAE {t}"),
                  widgets.table(f"val-heldout-{k}", held, HELDOUT_LABELS, page_size=10)]
    if payload.get("heldout"):
        parts.append(widgets.note(
            "Calibré sur l'année C, le modèle ne reçoit de C+1 que les lits : pour chaque flux "
            "sa prévision est la persistance multipliée par son propre biais.", "info"))
    return html.Div(parts)


TABLES = ("val-headline", "val-national", "val-los", "val-heldout-0", "val-heldout-1")


def register(app, ctx) -> None:
    for table_id in TABLES:
        register_export(app, table_id)

    @app.callback(Output("val-map", "figure"), Input("val-indicator", "value"),
                  prevent_initial_call=True)
    def update_map(indicator):
        rep = report(ctx)
        if rep is None:
            return figures.empty("Aucun rapport de validation")
        _, deps = rep
        return error_map(deps, pick(indicator, set(deps["indicator"]), "ed_passages"))
