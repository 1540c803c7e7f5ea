"""Callback functions without a browser: the map, the territory page, comparisons,
forecasts and shortages, fed with the identifiers a browser (or an attacker) can send."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dash import Patch

from dashboard import figures
from dashboard.pages import carte, comparer, previsions, territoire


def test_map_full_figure_then_patch(app_ctx):
    _, ctx = app_ctx
    fig, caption, rows, _cols = carte.map_outputs(ctx, "essai", "dep", "mco_occupancy_rate",
                                                 "reference", "all", "mean", "sim", False)
    t = fig.data[figures.VALUE_TRACE]
    assert list(t.locations) == ["15", "48"] and all(60 < z < 100 for z in t.z)
    assert "4 réplication(s)" in caption
    assert [r["code"] for r in rows] == ["15", "48"]
    assert rows[0]["moyenne"] == pytest.approx(t.z[0])
    patch, *_ = carte.map_outputs(ctx, "essai", "dep", "mco_occupancy_rate", "lits_reduits",
                                  "all", "diff", "sim", True)
    assert isinstance(patch, Patch)
    ops = patch.to_plotly_json()["operations"]
    z_op = next(o for o in ops if o["location"] == ["data", figures.VALUE_TRACE, "z"])
    assert all(z > 0 for z in z_op["params"]["value"])  # fewer beds → higher occupancy
    assert not any(o["location"][-1] in ("geojson", "locations") for o in ops)
    scale = next(o for o in ops if o["location"][-1] == "colorscale")["params"]["value"]
    assert scale[0][0] == 0 and scale[-1][0] == 1 and scale[0][1].startswith("rgb")


def test_map_statistics_are_consistent(app_ctx):
    _, ctx = app_ctx

    def z(stat, scen="afflux"):
        f, *_ = carte.map_outputs(ctx, "essai", "reg", "ed_passages", scen, "all", stat, "sim",
                                  False)
        return np.array(f.data[figures.VALUE_TRACE].z, dtype=float)

    mean, p5, p95 = z("mean"), z("p5"), z("p95")
    assert (p5 <= mean).all() and (mean <= p95).all()
    diff = z("diff")
    np.testing.assert_allclose(diff, mean - z("mean", "reference"), rtol=1e-9)
    assert (diff > 0).all()  # a 40 % surge brings more passages
    np.testing.assert_allclose(z("diff_pct"), 100 * diff / z("mean", "reference"))


@pytest.mark.parametrize("args", [
    ("inconnu", "dep", "ed_passages", "reference", "all", "mean", "sim"),
    ("../essai", "dep", "ed_passages", "reference", "all", "mean", "sim"),
])
def test_map_refuses_unknown_store(app_ctx, args):
    _, ctx = app_ctx
    _fig, caption, rows, _ = carte.map_outputs(ctx, *args, False)
    assert "invalide" in caption and rows == []


def test_map_falls_back_on_unknown_choices(app_ctx):
    _, ctx = app_ctx
    _fig, caption, *_ = carte.map_outputs(ctx, "essai", "xx", "__import__", "rm -rf", "1999-01",
                                         "max", "hack", False)
    assert "Taux d'occupation des lits MCO" in caption and "« reference »" in caption


def test_observed_layer_and_click(app_ctx):
    _, ctx = app_ctx
    _fig, note, rows, _ = carte.map_outputs(ctx, "essai", "dep", "icu_capacity", "reference",
                                           "all", "mean", "obs", False)
    assert "SAE" in note and {r["code"] for r in rows} == {"15", "48"}
    click = {"points": [{"location": "48"}]}
    path, search = carte.click_target(ctx, "essai", click, "dep", "ed_passages", "afflux")
    assert path == "/territoire" and "territoire=dep%3A48" in search and "afflux" in search
    assert carte.click_target(ctx, "essai", {"points": [{"location": "75"}]}, "dep", "x",
                              "y") is None  # Paris is not in this batch
    assert carte.click_target(ctx, "essai", {"points": [{"location": "../x"}]}, "dep", "",
                              "") is None


def test_territory_page(app_ctx):
    _, ctx = app_ctx
    title, fig, caption, rows, _ = territoire.territory_outputs(
        ctx, "essai", "dep:48", "mco_occupied_mean", ["reference", "lits_reduits"], "all")
    assert title == "Territoire : Lozère (48)"
    assert any(t.name and t.name.startswith("Lits MCO ouverts") for t in fig.data)
    assert [r["scenario"] for r in rows] == ["reference", "lits_reduits"]
    assert rows[0]["ecart_moyen"] == 0
    assert rows[1]["p5"] <= rows[1]["moyenne"] <= rows[1]["p95"]
    _, fig, caption, *_ = territoire.territory_outputs(ctx, "essai", "dep:48", "ed_passages",
                                                      ["reference"], "all")
    assert any(t.name and t.name.startswith("Observé") for t in fig.data)
    _, fig, caption, *_ = territoire.territory_outputs(ctx, "essai", "reg:76",
                                                      "smur_response_median", [], "all")
    assert "que par département" in caption


def test_compare_page(app_ctx):
    _, ctx = app_ctx
    f1, _f2 = comparer.compare_outputs(ctx, "essai", ["lits_reduits", "afflux", "nope"],
                                      "mco_occupancy_rate", "nation:FR", "all")
    assert list(f1.data[0].y) == ["lits_reduits", "afflux"]
    assert all(x > 0 for x in f1.data[0].x)
    fig, rows, _ = comparer.exceed_outputs(ctx, "essai", ["lits_reduits"],
                                           "mco_occupancy_rate", 1, "dep:48", "all")
    assert list(fig.data[0].x) == ["reference", "lits_reduits"]
    assert [r["scenario"] for r in rows] == ["reference", "lits_reduits"]
    assert all(r["probabilite"] == 100 for r in rows)  # above 1 % every day, surely
    _fig, rows, _ = comparer.exceed_outputs(ctx, "essai", ["lits_reduits"],
                                           "mco_occupancy_rate", "abc", "nation:FR", "all")
    assert rows == []
    rows, _cols, levers = comparer.rank_outputs(ctx, "essai", "lits_reduits",
                                               "mco_occupancy_rate", "dep", "all")
    assert [r["rang"] for r in rows] == [1, 2]
    assert abs(rows[0]["ecart_moyen"]) >= abs(rows[1]["ecart_moyen"])
    assert all(r["p_degradation"] == 100 for r in rows)
    assert "medicine" in str(levers)


def test_forecasts_and_shortages(outputs_root):
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig

    ctx = create_app(DashboardConfig(results=outputs_root))._twin_context
    fig, _rows, _, opts, chosen = previsions.forecast_outputs(ctx, "ed", "pas-une-serie")
    assert chosen == opts[0]["value"] and any(o["value"] == "ed/dep:48" for o in opts)
    assert {"Prévision", "intervalle 80 %", "intervalle 95 %"} <= {t.name for t in fig.data}
    fig, *_ = previsions.forecast_outputs(ctx, "ed", "ed/dep:48")
    assert any(t.name == "Observé" for t in fig.data)
    assert previsions.forecast_outputs(ctx, "../../etc", None)[3] == []
    al = previsions.alerts(ctx)
    assert al is not None and len(al)
    view = previsions.shortage_view(al, "*", "*")
    assert {"produit_cle", "site", "jours_couverture", "motif", "action"} <= set(view.columns)
    one = al["niveau"].iloc[0]
    assert set(previsions.shortage_view(al, one, "*")["niveau"]) == {one}
    assert len(previsions.shortage_view(al, "'; DROP", "zz")) == len(al)


def test_levers_table_flattens_resolved_scenario(app_ctx):
    from dashboard import views

    _, ctx = app_ctx
    df = views.levers(ctx.catalog.get("essai"), "afflux")
    assert isinstance(df, pd.DataFrame)
    assert dict(zip(df.parametre, df.valeur, strict=True))["levers[1].factor"] == "1.4"


def test_forecast_page_says_which_figures_are_real():
    from dash import html

    real = previsions.provenance_note("ed_regional")
    replica = previsions.provenance_note("ed")
    assert isinstance(real, html.Div) and "RÉELS" in real.children
    assert "Réplique" in replica.children and "RÉELS" not in replica.children
    assert previsions.provenance_note("inconnu") is None
    # The real regional series is the page's first choice when its forecast exists.
    assert next(iter(previsions.FORECAST_FILES)) == "ed_regional"


def test_validation_page_reads_the_report_and_refuses_unknown_indicators(outputs_root):
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig
    from dashboard.pages import validation

    app = create_app(DashboardConfig(results=outputs_root))
    ctx = app._twin_context
    payload, deps = validation.report(ctx)
    assert sorted(set(deps["dep"])) == ["15", "48"]
    fig = validation.error_map(deps, "ed_passages")
    t = fig.data[figures.VALUE_TRACE]
    csv = deps[deps["indicator"] == "ed_passages"].set_index("dep")["error_pct"]
    assert list(t.locations) == ["15", "48"]
    np.testing.assert_allclose(t.z, csv.loc[["15", "48"]].clip(-30, 30))
    rows = validation.headline_rows(payload["metrics"])
    assert len(rows) == 6 and set(rows["verdict"]) <= {"atteint", "non atteint"}
    page = validation.layout(ctx, {"indicateur": "<script>"})
    assert "Validation" in str(page)
    empty = create_app(DashboardConfig(results=outputs_root / "essai.zarr",
                                       validation=outputs_root / "absent"))
    assert "twin validate" in str(validation.layout(empty._twin_context, {}))


def test_levers_are_the_settings_that_differ_from_the_baseline():
    """A resolved scenario holds every field with its default (policy, model parameters): the
    levers view lists only what the scenario sets differently, with the baseline's value."""
    import copy

    from dashboard.views import lever_rows
    from twin.paths import scenarios_dir
    from twin.scenario import load_scenario

    base = load_scenario(scenarios_dir() / "baseline.yaml")[0].model_dump(mode="json")
    wave = load_scenario(scenarios_dir() / "grippe-bronchiolite.yaml")[0].model_dump(mode="json")
    rows = lever_rows(wave, base)
    assert len(rows) and all(p.startswith("scenario.interventions[") for p in rows.parametre)
    assert "bronchiolite" in set(rows.valeur)
    assert set(rows.reference) == {"—"}  # the baseline has no intervention

    tuned = copy.deepcopy(base)
    tuned["scenario"]["parameters"]["ed_treatment_median_hours"] = 2.5
    tuned["scenario"]["policy"]["plan_blanc_on"] = 0.95
    rows = lever_rows(tuned, base)
    assert dict(zip(rows.parametre, zip(rows.valeur, rows.reference, strict=True),
                    strict=True)) == {
        "scenario.parameters.ed_treatment_median_hours": ("2.5", "2.0"),
        "scenario.policy.plan_blanc_on": ("0.95", "0.98"),
    }
    assert lever_rows(base, base).empty
