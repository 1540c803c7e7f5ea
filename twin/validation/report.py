"""The validation report as one self-contained French HTML page (opens offline).

plotly.js is inlined once (``plotly.offline.get_plotlyjs``), the département contours are
inlined in the map figure, and no element loads anything from the network: the page works
from a USB key. Pure: a :class:`~twin.validation.build.Result` in, a string out.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.offline import get_plotlyjs

from twin.paths import synthetic_dir
from twin.validation import published as pub
from twin.validation.compare import INDICATORS
from twin.validation.tables import HEADLINE, OCCUPANCY

if TYPE_CHECKING:
    from twin.validation.build import Result

TARGETS = {
    "national_ed": 2.0,
    "mape": 10.0,
    "occupancy_points": 3.0,
}
"""The issue's targets: national ED passages within ±2 % of SAE, MAPE over départements
≤ 10 % (passages, admissions, occupied MCO beds), occupancy error ≤ 3 points (MCO, ICU)."""
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
CSS = """
body{font-family:Liberation Sans,Arial,Helvetica,sans-serif;max-width:1150px;margin:1em auto;
padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#eef3f8}td.l,th.l{text-align:left}
.ok{color:#1e7b34;font-weight:bold}.ko{color:#b03a2e;font-weight:bold}
.note{background:#f7f7f2;border-left:4px solid #b7950b;padding:.5em 1em}
.real{background:#eef8ee;border-left:4px solid #27864f;padding:.5em 1em}
details{margin:.5em 0}
"""


def _n(x: float, d: int = 0) -> str:
    """French number: thin no-break space for thousands, comma for decimals."""
    if x is None or not np.isfinite(x):
        return "n.d."
    s = f"{x:,.{d}f}".replace(",", "\u202f").replace(".", ",")
    return s


def _pct(x: float, d: int = 1, signed: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "n.d."
    return (f"{x:+.{d}f}" if signed else f"{x:.{d}f}").replace(".", ",") + "\u00a0%"


def _hours(h: float) -> str:
    if h is None or not np.isfinite(h):
        return "n.d."
    m = round(h * 60)
    return f"{m // 60}\u00a0h\u00a0{m % 60:02d}"


def _table(head: list[str], rows: list[list[str]], left: int = 1) -> str:
    th = "".join(
        f'<th class="l">{html.escape(h)}</th>' if i < left else f"<th>{html.escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>" + "".join(
            f'<td class="l">{c}</td>' if i < left else f"<td>{c}</td>" for i, c in enumerate(r)
        ) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(ok: bool) -> str:
    return '<span class="ok">atteint</span>' if ok else '<span class="ko">non atteint</span>'


def _fig_html(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(
        font={"family": FONT, "size": 12}, separators=",\u202f", paper_bgcolor="white",
        plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def headline_section(result: Result) -> str:
    m = result.metrics
    ed = (m["national_ratio_ed_passages"] - 1) * 100
    rows = [[
        "Passages aux urgences, France (écart simulé / SAE)", _pct(ed, 2, True), "± 2 %",
        _verdict(abs(ed) <= TARGETS["national_ed"]),
    ]]
    for ind in HEADLINE:
        v = m[f"mape_{ind}"]
        rows.append([f"MAPE sur les départements — {INDICATORS[ind]}", _pct(v), "≤ 10 %",
                     _verdict(v <= TARGETS["mape"])])
    for ind in OCCUPANCY:
        k = ind.split("_")[0]
        pts = m[f"{k}_occupancy_points"]
        rows.append([
            f"Taux d'occupation {'MCO' if k == 'mco' else 'réanimation adulte'} : simulé "
            f"{_pct(m[f'{k}_occupancy_sim_pct'])}, observé {_pct(m[f'{k}_occupancy_obs_pct'])}",
            f"{pts:+.1f} pts".replace(".", ","), "≤ 3 pts",
            _verdict(abs(pts) <= TARGETS["occupancy_points"]),
        ])
    return "<h2>Résultats principaux</h2>" + _table(["Critère", "Mesure", "Cible", "Verdict"],
                                                    rows)


def national_section(result: Result) -> str:
    t = result.tables["france"]
    rows = []
    for r in t.itertuples():
        rows.append([
            html.escape(r.label), _n(r.observed, 0), _n(r.expected, 0), _n(r.simulated, 0),
            f"{_n(r.ratio, 3)} [{_n(r.ratio_min, 3)} ; {_n(r.ratio_max, 3)}]",
            _pct(r.error_pct, 1, True),
        ])
    return (
        "<h2>Totaux nationaux</h2><p>Observé : moyenne annuelle SAE par jour ; attendu : "
        "observé × saison de la demande simulée pour les flux (les lits occupés sont "
        "comparés à la moyenne annuelle). Intervalle : plus petite et plus grande "
        "réplication.</p>"
        + _table(["Indicateur", "Observé (SAE)", "Attendu", "Simulé", "Rapport [min ; max]",
                  "Écart"], rows)
    )


def region_figure(result: Result) -> go.Figure:
    t = result.tables["region"]
    fig = go.Figure()
    for ind in ("ed_passages", "ed_admissions", "mco_occupied", "icu_occupied"):
        d = t[t["indicator"] == ind].sort_values("reg")
        fig.add_trace(go.Scatter(
            x=d["nom"], y=d["ratio"], mode="markers", name=INDICATORS[ind],
            error_y={"type": "data", "symmetric": False,
                     "array": (d["ratio_max"] - d["ratio"]).to_numpy(),
                     "arrayminus": (d["ratio"] - d["ratio_min"]).to_numpy()},
        ))
    fig.add_hline(y=1.0, line_dash="dot", line_color="#555")
    fig.update_layout(title="Rapport simulé / observé par région (barres : min–max des "
                      "réplications)", height=460, yaxis_title="simulé / observé",
                      legend={"orientation": "h", "y": -0.35})
    return fig


def _outlines(gj: dict) -> dict[str, tuple[list, list]]:
    """Département code → (x, y) of its rings (lon, lat), rings separated by None."""
    out: dict[str, tuple[list, list]] = {}
    for f in gj["features"]:
        geom = f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        xs: list = []
        ys: list = []
        for poly in polys:
            for ring in poly:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
        out[f["properties"]["code"]] = (xs, ys)
    return out


def _colours(values: np.ndarray, bound: float = 30.0) -> list[str]:
    out = []
    for v in values:
        if not np.isfinite(v):
            out.append("#d9d9d9")
        else:
            out.append(sample_colorscale("RdBu_r", [(np.clip(v, -bound, bound) + bound)
                                                    / (2 * bound)])[0])
    return out


def error_map(result: Result) -> go.Figure:
    """Map of the error (%) per département, one button per indicator. Drawn as filled
    outlines on plain axes (no WebGL, no web worker, no base map): it renders from a file
    opened directly (``file://``), where MapLibre maps stay blank and geo maps fetch their
    base layer from a CDN. Contours: the embedded web map (overseas départements as insets)."""
    gj = json.loads((synthetic_dir() / "geo" / "departements-carte.geojson").read_text("utf-8"))
    shapes = _outlines(gj)
    t = result.tables["departement"]
    inds = [i for i in INDICATORS if i in set(t["indicator"])]
    codes = [c for c in sorted(set(t["dep"])) if c in shapes]
    names = t.drop_duplicates("dep").set_index("dep")["nom"]

    def state(ind: str) -> tuple[list[str], list[str]]:
        d = t[t["indicator"] == ind].set_index("dep").reindex(codes)
        err = d["error_pct"].to_numpy(dtype=float)
        texts = [
            f"<b>{names.get(c, c)}</b> ({c})<br>"
            + ("n.d." if not np.isfinite(e) else f"écart {e:+.1f} %".replace(".", ","))
            + ("" if ok else " (SAE incomplet)")
            for c, e, ok in zip(codes, err, d["complete"].fillna(True), strict=True)
        ]
        return _colours(err), texts

    colours, texts = state(inds[0])
    fig = go.Figure()
    for k, c in enumerate(codes):
        x, y = shapes[c]
        fig.add_trace(go.Scatter(
            x=x, y=y, fill="toself", mode="lines", fillcolor=colours[k],
            line={"color": "#555", "width": 0.5}, hoveron="fills", text=texts[k],
            hoverinfo="text", showlegend=False, name=c,
        ))
    fig.add_trace(go.Scatter(  # the colour scale
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"colorscale": "RdBu_r", "cmin": -30, "cmax": 30, "color": [0],
                "showscale": True, "colorbar": {"title": {"text": "écart %"}}},
    ))
    buttons = []
    for ind in inds:
        col, txt = state(ind)
        buttons.append({"label": INDICATORS[ind], "method": "restyle",
                        "args": [{"fillcolor": col, "text": txt}, list(range(len(codes)))]})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / np.cos(np.radians(46.0)))
    fig.update_layout(
        title={"text": "Écart simulé / observé par département (%, borné à ± 30)", "x": 0.3},
        height=680, hovermode="closest",
        updatemenus=[{"buttons": buttons, "x": 0.0, "y": 1.0, "xanchor": "left",
                      "yanchor": "bottom"}],
    )
    return fig


def los_section(result: Result) -> str:
    los = result.los.set_index("group")
    sim = {
        "median_all": los.loc["all", "median_hours"],
        "over_8h_all": los.loc["all", "share_over_8h"],
        "median_home": los.loc["home", "median_hours"],
        "median_admitted": los.loc["admitted", "median_hours"],
    }
    rows = []
    for p in pub.ED_LOS:
        s = sim[p.key]
        shown = (_hours(s), _hours(p.value)) if p.units == "h" else (
            _pct(s * 100), _pct(p.value * 100, 0))
        rows.append([html.escape(p.label), shown[0], shown[1], html.escape(p.note)])
    b = los.loc["boarding_admitted"]
    nat = result.tables["france"].set_index("indicator")
    adm = nat.loc["ed_admissions", "simulated"] / nat.loc["ed_passages", "simulated"]
    adm_obs = nat.loc["ed_admissions", "expected"] / nat.loc["ed_passages", "expected"]
    rows.append(["Part des passages suivis d'une hospitalisation (transferts compris)",
                 _pct(adm * 100), f"{_pct(pub.ADMISSION_SHARE.value * 100, 0)} (SAE : "
                 f"{_pct(adm_obs * 100)})", "calibrée sur SAE par unité : contrôle"])
    m = result.metrics
    rows.append([
        "Taux d'occupation de la réanimation adulte", _pct(m["icu_occupancy_sim_pct"]),
        _pct(m["icu_occupancy_obs_pct"]),
        f"DREES, SAE {result.settings.year} : journées / (lits × 365)",
    ])
    sources = (f"<p>Sources : {html.escape(pub.ED_SURVEY)}. Réanimation : "
               f"{html.escape(pub.sae_icu_source(result.settings.year))}.</p>")
    board = (
        f"<p>Attente d'un lit des patients hospitalisés (<i>boarding</i>, simulé) : médiane "
        f"{_hours(b['median_hours'])}, moyenne {_hours(b['mean_hours'])}, "
        f"{_pct(b['share_over_4h'] * 100)} au-delà de 4 h ; aucune valeur nationale publiée "
        "n'est reprise dans les références du projet — la durée médiane des patients "
        "hospitalisés (5 h 20, attente comprise) en tient lieu.</p>"
    )
    age = ""
    if len(result.by_age):
        age = (
            "<p>Part des passages suivis d'une hospitalisation (service ou réanimation) par "
            "âge, <b>par construction</b> : la part SAE de chaque unité répartie selon des "
            "poids relatifs par âge supposés (<code>AGE_ADMISSION_WEIGHT</code>), sans chiffre "
            "publié par âge dans les références du projet pour la confronter.</p>"
            + _table(["Âge", "Passages par an", "Part hospitalisée"], [
                [html.escape(r.age), _n(r.passages_year), _pct(r.admitted_share * 100)]
                for r in result.by_age.itertuples()
            ])
        )
    return (
        "<h2>Sorties qu'aucune calibration n'a touchées</h2>"
        "<p>Les durées de passage, leur répartition selon l'orientation et l'attente d'un "
        "lit résultent des temps de soins supposés, des règles d'effectif et des files ; "
        "elles ne sont calées sur aucun chiffre ci-dessous.</p>"
        + _table(["Indicateur", "Simulé", "Publié", "Remarque"], rows)
        + sources + board + age
    )


def heldout_section(result: Result) -> str:
    if not result.heldout:
        return (
            "<h2>Année non vue</h2><p>Non calculée pour ce rapport (option "
            "<code>--held-out</code>).</p>"
        )
    parts = [
        "<h2>Année non vue : calibré sur l'année C, jugé sur l'année C+1</h2>",
        '<p class="note">Le modèle calibré sur l\'année C reçoit les lits de l\'année C+1 '
        "(les capacités sont planifiées) et rien d'autre de C+1. Pour chaque flux, sa "
        "prévision est donc <b>la persistance multipliée par son propre biais</b> : il ne "
        "peut battre la persistance que si ce biais va dans le sens de l'évolution de "
        "l'année. Seuls les lits occupés reçoivent une information propre à C+1 (les "
        "capacités). Erreur : écart absolu moyen en % sur les départements (MAPE).</p>",
    ]
    for key, t in result.heldout.items():
        c, tgt = key.split("->")
        rows = [[
            html.escape(r.label), _pct(r.model_mape), _pct(r.persistence_mape),
            f"{r.model_better} / {r.departements}",
            _pct(r.national_model_error_pct, 1, True),
            _pct(r.national_persistence_error_pct, 1, True),
        ] for r in t.itertuples()]
        parts.append(f"<h3>Calibré sur SAE {c}, comparé à SAE {tgt}</h3>")
        parts.append(_table(["Indicateur", "MAPE modèle", "MAPE persistance",
                             "Départements où le modèle fait mieux", "Écart national modèle",
                             "Écart national persistance"], rows))
    return "".join(parts)


def detail_section(result: Result) -> str:
    def rows(t: pd.DataFrame, key: str) -> list[list[str]]:
        out = []
        for r in t.sort_values([key, "indicator"]).itertuples():
            occ = (f"{r.occupancy_sim_pct:.1f} / {r.occupancy_obs_pct:.1f}".replace(".", ",")
                   if np.isfinite(r.occupancy_sim_pct) else "")
            out.append([
                f"{html.escape(str(getattr(r, key)))} {html.escape(str(r.nom))}",
                html.escape(r.label), _n(r.observed, 1), _n(r.simulated, 1),
                f"{_n(r.ratio, 3)} [{_n(r.ratio_min, 3)} ; {_n(r.ratio_max, 3)}]", occ,
            ])
        return out

    head = ["Territoire", "Indicateur", "Observé", "Simulé", "Rapport [min ; max]",
            "Occupation % sim / obs"]
    return (
        "<h2>Détail</h2><details><summary>Par région</summary>"
        + _table(head, rows(result.tables["region"], "reg"), left=2)
        + "</details><details><summary>Par département</summary>"
        + _table(head, rows(result.tables["departement"], "dep"), left=2)
        + "</details>"
    )


def provenance_section(payload: dict) -> str:
    prov = payload["provenance"]
    obs = "".join(
        f"<li>{html.escape(INDICATORS[k])} : <code>{html.escape(v['file'])}</code>, "
        f"{html.escape(v['columns'])}, {html.escape(v['rule'])}</li>"
        for k, v in prov["observed"].items()
    )
    return (
        "<h2>D'où viennent les chiffres</h2>"
        '<p class="real"><b>Réel</b> : les valeurs observées sont celles des fichiers SAE '
        "(DREES) embarqués, à l'identique. <b>Simulé</b> : le jumeau, dont la forme "
        "journalière de la demande vient d'une <b>réplique synthétique</b> de SurSaUD (ses "
        "totaux annuels égalent les passages SAE) — les flux journaliers simulés ne sont pas "
        "des faits sur la France.</p>"
        f"<ul>{obs}</ul><p>Valeurs simulées : stores <code>{RUNS_HINT}</code> (une par "
        "région), variables du même nom, moyenne sur les jours puis sur les réplications. "
        "Le fichier <code>validation.json</code> liste chaque store et colonne.</p>"
        f"<p>Révision git {html.escape(payload['git_revision'])}, créé le "
        f"{html.escape(payload['created'])}, paramètres : "
        f"<code>{html.escape(json.dumps(payload['settings'], ensure_ascii=False))}</code>.</p>"
    )


RUNS_HINT = "runs/R&lt;région&gt;_&lt;année&gt;.zarr"


def render_html(result: Result, payload: dict) -> str:
    s = result.settings
    body = "".join([
        f"<h1>Validation du jumeau — France, SAE {s.year}</h1>",
        f"<p>{len(s.deps)} départements, {s.days} jours simulés à partir du "
        f"{html.escape(s.start)} (après {s.warmup_days} jours de mise en route), "
        f"{s.replications} réplication(s), graine {s.seed}.</p>",
        headline_section(result),
        national_section(result),
        _fig_html(region_figure(result), "fig-regions"),
        _fig_html(error_map(result), "fig-carte"),
        los_section(result),
        heldout_section(result),
        detail_section(result),
        provenance_section(payload),
    ])
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Validation du jumeau numérique</title>"
        f"<style>{CSS}</style><script>{get_plotlyjs()}</script></head>"
        f"<body>{body}</body></html>"
    )
