"""Shortage early warning: disruption model, BDPM signals, a known disruption warned before the
stock-out, transfers, outputs, CLI, and a small backtest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecasting import shortages as sh
from forecasting.ledger import rupture_events
from twin.cli import main
from twin.errors import DataError
from twin.rng import stream
from twin.sources.bdpm import STATUS_LABELS, load_availability_history
from twin.sources.ledger import read_ledger
from twin.synthetic import ledger as gen
from twin.synthetic.bdpm import Episode
from twin.synthetic.medicines import PRODUCTS_BY_KEY

AMOX = PRODUCTS_BY_KEY["amoxicilline_1g_cp"]
PARA = PRODUCTS_BY_KEY["paracetamol_1g_cp"]
PITIE = gen.Site("750100125", "HU PITIE SALPETRIERE APHP", "75", "11", 1175, 0.037)
TIMONE = gen.Site("130783293", "APHM HOPITAL LA TIMONE", "13", "93", 926, 0.058)
NORD13 = gen.Site("130780521", "APHM HOPITAL NORD", "13", "93", 706, 0.044)


def frame_of(spec: gen.SeriesSpec, arrays: dict[str, np.ndarray], days: pd.DatetimeIndex
             ) -> pd.DataFrame:
    exp = arrays.pop("expected_day")
    expected = pd.Series(days[0] + pd.to_timedelta(np.maximum(exp, 0), "D")).where(exp >= 0)
    return pd.DataFrame({"date": days, "finess": spec.site.finess, "produit": spec.code,
                         "type_code": spec.type_code, **arrays,
                         "date_livraison_prevue": expected})


def snapshots(episodes: list[Episode], first: str, last: str) -> pd.DataFrame:
    """Weekly BDPM availability history (the loader's columns) showing these episodes."""
    rows = []
    for day in pd.date_range(first, last, freq="W-MON"):
        for ep in episodes:
            st = ep.status_on(day.date())
            if st is None:
                continue
            rows.append({
                "snapshot_date": day, "cis": ep.cis, "cip13": ep.cip13 or None, "status": st,
                "status_label": STATUS_LABELS[st], "start": pd.Timestamp(ep.start),
                "updated": pd.Timestamp(ep.updated_on(day.date())),
                "back_in_stock": pd.Timestamp(ep.back_in_stock) if st == 4 else pd.NaT,
            })
    return pd.DataFrame(rows, columns=["snapshot_date", "cis", "cip13", "status",
                                       "status_label", "start", "updated", "back_in_stock"])


# --- the disruption model ------------------------------------------------------------------


def test_disruption_file_errors_are_located(tmp_path: Path):
    path = tmp_path / "d.yaml"
    path.write_text(
        "disruptions:\n"
        "  - product: paracetamol_1g_cp\n"
        "    kind: rupture\n"
        "    start: 2024-01-01\n"
        "    end: 2024-02-01\n"
        "  - product: paracetamol_1g_cp\n"
        "    kind: quota\n"
        "    start: 2024-01-01\n"
        "    end: 2024-02-01\n"
        "    quota_share: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        sh.load_disruptions(path)
    (p,) = exc.value.problems
    assert p.line == 10 and p.column == "disruptions[1].quota_share" and p.found == "2"
    path.write_text("- product: x\n  kind: rupture\n  start: 2024-01-01\n  end: 2024-01-31\n",
                    encoding="utf-8")
    assert sh.load_disruptions(path)[0].end == date(2024, 1, 31)
    path.write_text("disruptions: [\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        sh.load_disruptions(path)
    assert exc.value.problems[0].expected == "well-formed YAML"


def test_disruption_effects_select_products_sites_territories_and_days():
    series = pd.DataFrame({
        "finess": [PITIE.finess, TIMONE.finess, NORD13.finess],
        "product": ["paracetamol_1g_cp"] * 3, "produit": [PARA.cip13] * 3,
        "cis": [PARA.cis] * 3, "dep": ["75", "13", "13"], "conso_jour": [40.0, 8.0, 6.0],
    })
    as_of = pd.Timestamp("2024-01-01")
    dis = [
        sh.SupplyDisruption(product=PARA.cis, kind="rupture", start="2024-01-05",
                            end="2024-01-10", deps=("13",)),
        sh.SupplyDisruption(product="paracetamol_1g_cp", kind="quota", start="2024-01-03",
                            end="2024-01-03", quota_share=0.25, sites=(PITIE.finess,)),
        sh.SupplyDisruption(product="other", kind="delay", start="2024-01-01",
                            end="2024-01-30", delay_days=9),
    ]
    effects, touched = sh.disruption_effects(dis, series, as_of, 20)
    assert touched.tolist() == [True, True, True]
    assert effects.shift[0].tolist() == [0] * 20
    assert effects.shift[1, 4:10].tolist() == [6, 5, 4, 3, 2, 1]  # to day 11
    assert effects.shift[1, [3, 10]].tolist() == [0, 0]
    # The quota: a daily allocation of a quarter of the site's consumption, on day 2 only.
    assert effects.allocation[0, 2] == 10.0
    assert np.isinf(effects.allocation[0, [1, 3]]).all() and np.isinf(effects.allocation[1:]).all()
    assert (effects.quota == 1).all()


# --- BDPM signals --------------------------------------------------------------------------


def test_bdpm_status_and_recurrent_shortage_count():
    eps = [
        Episode("A", AMOX.cis, "", date(2021, 3, 1), None, date(2021, 4, 5), date(2021, 4, 26)),
        Episode("B", AMOX.cis, "", date(2022, 1, 3), date(2022, 1, 24), date(2022, 3, 7),
                date(2022, 3, 28)),
    ]
    days = pd.date_range("2021-01-01", "2023-06-30")
    series = pd.DataFrame({"finess": [PITIE.finess], "product": [AMOX.key],
                           "produit": [AMOX.cip13], "type_code": ["CIP13"], "cis": [AMOX.cis]})
    panel = sh.Panel(days, series, {})
    status, notices = sh.supply_signals(snapshots(eps, "2021-01-04", "2023-06-26"), panel)
    at = {d: days.get_loc(pd.Timestamp(d)) for d in
          ("2021-02-28", "2021-03-01", "2021-04-12", "2022-01-10", "2022-01-31", "2023-03-06")}
    assert status[0, at["2021-02-28"]] == 0  # first snapshot showing it: Monday 1 March
    assert status[0, at["2021-03-01"]] == 2 and status[0, at["2021-04-12"]] == 0
    assert status[0, at["2022-01-10"]] == 2 and status[0, at["2022-01-31"]] == 1
    # Two notices within 24 months from January 2022: recurrent; by March 2023 the first is
    # older than two years.
    assert notices[0, at["2021-04-12"]] == 1
    assert notices[0, at["2022-01-10"]] == 2
    assert notices[0, at["2023-03-06"]] == 1


# --- a constructed case with a known disruption -----------------------------------------------

CASE_DAYS = pd.date_range("2021-01-01", "2022-12-31")
CASE_EPISODE = Episode("X1", AMOX.cis, "", date(2022, 6, 1), date(2022, 6, 22),
                       date(2022, 9, 30), date(2022, 10, 21), AMOX.key, 0.3)


@pytest.fixture(scope="module")
def case() -> sh.Context:
    """One site, amoxicillin 20 boxes a day, a tension from 1 June 2022 escalating to a
    rupture on 22 June: the simulated pharmacy runs out on 11 July."""
    spec = gen.SeriesSpec(PITIE, AMOX, "CIP13", AMOX.cip13, np.full(len(CASE_DAYS), 20.0),
                          (CASE_EPISODE,))
    arrays, _ = gen.simulate_series(spec, CASE_DAYS[0].date(), stream(3, "case"), 3)
    led = read_ledger("constructed.csv", raw=gen.ledger_text(frame_of(spec, arrays, CASE_DAYS)))
    return sh.prepare(led, snapshots([CASE_EPISODE], "2021-01-04", "2022-12-26"))


def test_warning_fires_before_the_stock_out(case: sh.Context):
    stockout = rupture_events(case.panel)["start"].min()
    assert stockout == pd.Timestamp("2022-07-11")
    first = {}
    for monday in pd.date_range("2022-03-07", stockout, freq="W-MON"):
        row = sh.early_warnings(case, monday, 8, n_paths=200).series.iloc[0]
        for w in (2, 4):
            if row[f"p_rupture_{w}s"] >= 0.5:
                first.setdefault(w, monday)
        if monday < pd.Timestamp("2022-05-16"):  # calm months: no false alarm
            assert row["p_rupture_4s"] < 0.1
    assert first[4] <= stockout - pd.Timedelta(14, "D")
    assert first[2] <= stockout - pd.Timedelta(7, "D")


def test_warning_carries_reason_action_and_mitm_target(case: sh.Context):
    rep = sh.early_warnings(case, "2022-06-27", 8, n_paths=200)
    (w,) = rep.warnings.to_dict("records")
    assert w["niveau"] == "orange" and w["statut_bdpm"] == 1
    assert "rupture fournisseur signalée (BDPM)" in w["motif"]
    assert w["stock_securite_jours"] == sh.MITM_SAFETY_DAYS  # one notice only: not recurrent
    assert w["quantite_a_commander"] > 0 and "commander" in w["action"]
    assert w["date_rupture_attendue"] <= pd.Timestamp("2022-07-25")


def test_disruption_scenario_raises_risk_on_common_random_numbers(case: sh.Context):
    dis = [sh.SupplyDisruption(product=AMOX.cip13, kind="rupture", start="2022-04-05",
                               end="2022-06-30")]
    rep = sh.early_warnings(case, "2022-04-04", 8, n_paths=200, disruptions=dis)
    base, scen = rep.series.iloc[0], rep.scenario_series.iloc[0]
    assert base["p_rupture_8s"] < 0.1 and scen["p_rupture_8s"] > 0.9
    assert rep.scenario_warnings["motif"].iloc[0].startswith("perturbation simulée")
    np.testing.assert_array_equal(rep.scenario.stock[:, :, 0], rep.baseline.stock[:, :, 0])


def p_within(case: sh.Context, dis: list, weeks: int = 4) -> tuple[float, float]:
    rep = sh.early_warnings(case, "2022-04-04", 8, n_paths=200, disruptions=dis)
    col = f"p_rupture_{weeks}s"
    return float(rep.series[col].iloc[0]), float(rep.scenario_series[col].iloc[0])


def test_a_quota_lies_between_the_baseline_and_a_rupture(case: sh.Context):
    """Same window, same random numbers: no disruption ≤ quota 70 % ≤ quota 30 % ≤ rupture,
    strictly where the rupture bites (4 weeks) — a quota leaves some supply, a rupture none."""
    window = dict(product=AMOX.key, start="2022-04-05", end="2022-06-30")
    base, rupture = p_within(case, [sh.SupplyDisruption(kind="rupture", **window)])
    _, q30 = p_within(case, [sh.SupplyDisruption(kind="quota", quota_share=0.3, **window)])
    _, q70 = p_within(case, [sh.SupplyDisruption(kind="quota", quota_share=0.7, **window)])
    assert base < q70 < q30 < rupture
    _, q30_8 = p_within(case, [sh.SupplyDisruption(kind="quota", quota_share=0.3, **window)], 8)
    assert q30_8 > 0.9  # 30 % of the consumption for 8 weeks empties the shelf


def test_a_disruption_outside_the_horizon_changes_nothing(case: sh.Context):
    later = sh.SupplyDisruption(product=AMOX.cip13, kind="rupture", start="2022-06-10",
                                end="2022-08-31")  # as-of 4 April + 8 weeks + 2 days < 10 June
    earlier = sh.SupplyDisruption(product=AMOX.cip13, kind="quota", quota_share=0.1,
                                  start="2022-01-01", end="2022-04-04")  # ends on the as-of day
    other = sh.SupplyDisruption(product="paracetamol_1g_cp", kind="rupture",
                                start="2022-04-05", end="2022-06-30")  # not in this ledger
    rep = sh.early_warnings(case, "2022-04-04", 8, n_paths=100,
                            disruptions=[later, earlier, other])
    np.testing.assert_array_equal(rep.scenario.stock, rep.baseline.stock)
    np.testing.assert_array_equal(rep.scenario.first_rupture, rep.baseline.first_rupture)
    assert not rep.scenario_series["perturbation"].any()


# --- transfers ------------------------------------------------------------------------------


def flat_ledger(site: gen.Site, stock: float, days: pd.DatetimeIndex, demand: float = 10.0
                ) -> pd.DataFrame:
    """A site that dispenses ``demand`` a day, never orders, and ends at ``stock``."""
    n = len(days)
    fin = stock + demand * np.arange(n - 1, -1, -1)
    return pd.DataFrame({"date": days, "finess": site.finess, "produit": PARA.cip13,
                         "type_code": "CIP13", "stock_debut": fin + demand, "recu": 0,
                         "dispense": demand, "stock_fin": fin, "commande": 0,
                         "en_commande": 0,
                         "date_livraison_prevue": np.full(n, np.datetime64("NaT", "ns"))})


def test_transfer_is_suggested_from_a_site_with_surplus_in_the_same_departement():
    days = pd.date_range("2024-01-01", "2024-04-30")
    frames = [flat_ledger(TIMONE, 15, days), flat_ledger(NORD13, 4000, days),
              flat_ledger(PITIE, 9000, days)]
    df = pd.DataFrame({c: np.concatenate([f[c].to_numpy() for f in frames])
                       for c in frames[0].columns})
    df[["stock_debut", "stock_fin"]] = df[["stock_debut", "stock_fin"]].astype(int)
    led = read_ledger("flat.csv", raw=gen.ledger_text(df))
    rupture = Episode("R", PARA.cis, "", date(2024, 4, 1), date(2024, 4, 1), date(2024, 8, 1),
                      date(2024, 8, 20))
    ctx = sh.prepare(led, snapshots([rupture], "2024-01-01", "2024-04-29"))
    rep = sh.early_warnings(ctx, "2024-04-30", 4, n_paths=100)
    warn = rep.warnings.set_index("finess")
    assert list(warn.index) == [TIMONE.finess]  # the two full sites are not at risk
    row = warn.loc[TIMONE.finess]
    assert row["transfert_depuis"] == NORD13.finess  # same département, not Paris
    assert 0 < row["quantite_transfert"] <= 4000
    assert "transférer" in row["action"]


# --- outputs, CLI --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three sites (two in the Bouches-du-Rhône) × two products, 2021-2022, as a file."""
    from twin.sources.openmedic import load_monthly

    days = pd.date_range("2021-01-01", "2022-12-31")
    monthly = load_monthly()
    specs = [s for s in gen.series_specs([PITIE, TIMONE, NORD13], monthly[~monthly["folded"]],
                                         days)
             if s.product.key in ("amoxicilline_500mg5ml_susp", "paracetamol_1g_cp")]
    path = tmp_path_factory.mktemp("ledger") / "mouvements_stock_petit.csv"
    path.write_bytes(gen.ledger_text(gen.simulate_ledger(specs, days)))
    return path


def test_dataset_has_the_documented_structure(small_ledger: Path):
    ctx = sh.prepare(read_ledger(small_ledger), None)
    dis = [sh.SupplyDisruption(product="paracetamol_1g_cp", kind="quota", start="2022-12-06",
                               end="2023-01-31", quota_share=0.2)]
    rep = sh.early_warnings(ctx, "2022-12-05", 4, n_paths=50, disruptions=dis)
    ds = sh.to_dataset(rep)
    assert dict(ds.sizes) == {"produit": 2, "site": 3, "horizon": 3, "quantile": 3,
                              "jour": 31, "scenario": 2, "dep": 2, "reg": 2}
    assert list(ds["horizon"].values) == [1, 2, 4]
    p = ds["p_rupture"].values
    assert np.nanmin(p) >= 0 and np.nanmax(p) <= 1
    assert (np.diff(p, axis=-1) >= 0).all()  # cumulative in the horizon
    assert (ds["p_rupture"].sel(scenario="perturbation", produit="paracetamol_1g_cp")
            >= ds["p_rupture"].sel(scenario="base", produit="paracetamol_1g_cp")).all()
    # Département 13 holds two sites: P(at least one out) ≥ each site's.
    dep13 = ds["p_rupture_dep"].sel(dep="13")
    sites13 = ds["p_rupture"].sel(scenario="base").where(ds["site_dep"] == "13")
    assert (dep13 >= sites13.max("site") - 1e-12).all()


def test_cli_writes_zarr_and_french_csv_and_prints_top_risks(small_ledger: Path,
                                                              tmp_path: Path, capsys):
    dis = tmp_path / "d.yaml"
    dis.write_text("- product: amoxicilline_500mg5ml_susp\n  kind: rupture\n"
                   "  start: 2022-11-08\n  end: 2022-12-31\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["shortages", "--ledger", str(small_ledger), "--as-of", "2022-11-07",
                 "--horizon", "4", "--paths", "50", "--disruption", str(dis),
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "couv. (j)" in printed and "P 2 sem." in printed and "niveau" in printed
    ds = xr.open_zarr(out / "projection.zarr", consolidated=False)
    assert ds.attrs["as_of"] == "2022-11-07" and "perturbation" in ds["scenario"].values
    text = (out / "alertes_perturbation.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["rang", "niveau", "produit_cle"] and "motif" in header
    assert "amoxicilline_500mg5ml_susp" in text and "perturbation simulée" in text
    assert (out / "alertes_territoires.csv").read_text(encoding="utf-8").startswith("produit;")


def test_scenario_entry_point_reads_the_ledger_and_compares_on_common_numbers(
        small_ledger: Path):
    """``disruption_scenario`` is what the scenario layer calls: a file in, baseline and
    disrupted runs out, side by side in ``compare``."""
    dis = [sh.SupplyDisruption("paracetamol_1g_cp", "rupture", "2022-12-06", "2023-02-28",
                               deps=("13",))]
    rep = sh.disruption_scenario(dis, as_of="2022-12-05", horizon_weeks=4, ledger=small_ledger,
                                 n_paths=50, seed=3)
    table = sh.compare(rep).set_index(["product", "finess"])
    hit = table["perturbation"]
    assert hit.sum() == 2 and set(table.loc[hit, "dep"]) == {"13"}  # two sites of the 13
    untouched = table[~hit]
    assert (untouched["p_rupture_4s_perturbation"] == untouched["p_rupture_4s_base"]).all()
    assert (table.loc[hit, "p_rupture_4s_perturbation"]
            >= table.loc[hit, "p_rupture_4s_base"]).all()
    assert rep.settings["disruptions"][0]["deps"] == ("13",)
    empty = sh.disruption_scenario([], as_of="2022-12-05", horizon_weeks=4, ledger=small_ledger,
                                   n_paths=50, seed=3)
    np.testing.assert_array_equal(empty.scenario.stock, empty.baseline.stock)
    np.testing.assert_array_equal(empty.baseline.stock, rep.baseline.stock)
    with pytest.raises(DataError, match="a date within the ledger"):
        sh.disruption_scenario(dis, as_of="2030-01-01", ledger=small_ledger)


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        (["--as-of", "2030-01-01"], "--as-of"),
        (["--horizon", "40"], "--horizon"),
        (["--disruption", "BAD_YAML"], "d.yaml:2: column 'disruptions[0].kind'"),
    ],
)
def test_cli_bad_input_exits_2_with_a_located_message(small_ledger: Path, tmp_path: Path,
                                                       capsys, extra, where):
    bad = tmp_path / "d.yaml"
    bad.write_text("- product: x\n  kind: strike\n  start: 2022-01-01\n  end: 2022-01-02\n",
                   encoding="utf-8")
    extra = [str(bad) if e == "BAD_YAML" else e for e in extra]
    code = main(["shortages", "--ledger", str(small_ledger), "--paths", "20",
                 "--out", str(tmp_path / "o"), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and where.replace("d.yaml", str(bad)) in err


def test_cli_bad_ledger_exits_2(tmp_path: Path, capsys):
    path = tmp_path / "mouvements_stock_x.csv"
    path.write_text(";".join(gen.HEADER) + "\n01/01/2021;750100125;123;CIP13;1;0;0;1;0;0;\n",
                    encoding="utf-8")
    assert main(["shortages", "--ledger", str(path), "--out", str(tmp_path / "o")]) == 2
    assert f"{path}:2: column 'produit'" in capsys.readouterr().err


# --- backtest -------------------------------------------------------------------------------


@pytest.mark.slow
def test_backtest_scores_warnings_against_later_stock_outs():
    from twin.sources.openmedic import load_monthly

    days = pd.date_range("2021-01-01", "2025-06-30")
    monthly = load_monthly()
    # Both amoxicillin suspensions end their episode (after the real ANSM remises of
    # 2 April 2025) with a rupture from February 2025.
    keys = ("amoxicilline_500mg5ml_susp", "amoxicilline_clavulanique_enfant_susp",
            "paracetamol_enfant_susp")
    sites = [s for s in gen.select_sites(Path(__file__).resolve().parents[2] / "data" / "real")
             if s.reg in ("11", "93", "32")]
    specs = [s for s in gen.series_specs(sites, monthly[~monthly["folded"]], days)
             if s.product.key in keys]
    led = read_ledger("bt.csv", raw=gen.ledger_text(gen.simulate_ledger(specs, days)))
    ctx = sh.prepare(led, load_availability_history())
    res = sh.backtest_warnings(ctx, "2024-10-07", "2025-04-28", n_paths=60,
                               episodes=sh.load_episode_truth())
    s = res.scores.set_index(["rule", "lead_weeks"])
    for lead in (2, 4):
        proj, naive = s.loc[("projection", lead)], s.loc[("couverture naive", lead)]
        assert proj["events"] >= 20
        assert proj["precision"] >= 0.5 and proj["recall"] >= 0.3
        assert proj["precision"] > naive["precision"]
        assert proj["recall_episode"] >= proj["recall_other"] or np.isnan(proj["recall_other"])
