"""Real ANSM notices for the followed products: sentinel → real CIS mapping, signals never
used before their start, the warning's backing, and the real-notice backtest counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import notices as nt
from forecasting import shortages as sh
from twin.sources.ledger import read_ledger
from twin.synthetic import ledger as gen
from twin.synthetic.bdpm import REAL_SENTINEL_NOTICES
from twin.synthetic.medicines import PRODUCTS_BY_KEY, SENTINEL_PRODUCTS

AMOX = PRODUCTS_BY_KEY["amoxicilline_1g_cp"]
ANSM = "https://ansm.sante.fr/disponibilites-des-produits-de-sante/medicaments"
PITIE = gen.Site("750100125", "HU PITIE SALPETRIERE APHP", "75", "11", 1175, 0.037)


@pytest.fixture(scope="module")
def real_bdpm(shared_real: Path) -> Path:
    return shared_real / "bdpm"


@pytest.fixture(scope="module")
def real_notices(real_bdpm: Path) -> pd.DataFrame:
    df = nt.load_real_notices(real_bdpm / "CIS_CIP_Dispo_Spec.txt")
    assert df is not None
    return df


# --- mapping -------------------------------------------------------------------------------


def test_mapping_rebuilt_from_the_real_files_equals_the_reference_table(real_bdpm: Path):
    built = nt.build_sentinel_map(real_bdpm)
    ref = pd.read_csv(Path(nt.__file__).parents[1] / "data" / "reference" / nt.MAP_FILE,
                      dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(built.reset_index(drop=True), ref)
    # Every sentinel stands for at least one real CIS.
    assert set(built["product_key"]) == {p.key for p in SENTINEL_PRODUCTS}


def test_mapping_keeps_compatible_forms_and_strengths_only(real_bdpm: Path):
    m = nt.load_sentinel_map()
    key = dict(zip(m["cis"], m["product_key"], strict=True))
    assert key["64539416"] == "amoxicilline_1g_cp"  # CLAMOXYL 1 g, comprimé dispersible
    assert key["66053338"] == "amoxicilline_clavulanique_1g_sachet"  # AUGMENTIN 1 g/125 mg
    assert key["65979151"] == "insuline_glargine_stylo"  # LANTUS SOLOSTAR
    assert key["65741417"] == "insuline_asparte_stylo"  # FIASP FLEXTOUCH
    for cis in ("68182431",  # NOVOMIX 50 FLEXPEN: biphasic suspension, another insulin
                "62278832",  # NOVORAPID PUMPCART: cartridge, not a pen
                "64270535",  # FUROSEMIDE TEVA 500 mg: another strength class
                "67488731",  # DOLIPRANE 1000 mg suppositoire: another form
                "67707794"):  # CLAMOXYL 500 mg gélule
        assert cis not in key
    # No amoxicillin-alone product is mapped to an association, and vice versa.
    products = pd.read_csv(real_bdpm / "CIS_bdpm.txt", sep="\t", header=None, dtype=str,
                           encoding="cp1252", quoting=3).set_index(0)[1]
    for row in m.itertuples(index=False):
        den = nt.plain(products[row.cis])
        assert ("clavulan" in den) == ("clavulanique" in row.product_key), row.cis


def test_map_sentinels_ignores_salts_and_requires_the_exact_substance_set():
    products = pd.DataFrame({
        "cis": ["60000001", "60000002", "60000003", "60000004"],
        "denomination": ["AMOX A 1 g, comprimé dispersible", "AMOX B 1 g/125 mg, sachet-dose",
                         "AMOX C 1 g, comprimé", "AMOX D 500 mg, gélule"],
        "form": ["comprimé dispersible", "poudre pour suspension buvable", "comprimé",
                 "gélule"],
        "routes": ["orale"] * 4,
    })
    composition = pd.DataFrame({
        "cis": ["60000001", "60000001", "60000002", "60000002", "60000003", "60000004"],
        "substance": ["AMOXICILLINE TRIHYDRATÉE", "AMOXICILLINE ANHYDRE", "AMOXICILLINE",
                      "CLAVULANATE DE POTASSIUM", "AMOXICILLINE", "AMOXICILLINE"],
        "link": ["1", "1", "1", "2", "1", "1"],
    })
    rules = {k: nt.MATCH_RULES[k] for k in
             ("amoxicilline_1g_cp", "amoxicilline_clavulanique_1g_sachet")}
    out = nt.map_sentinels(products, composition, rules)
    # 60000002 lacks ACIDE CLAVULANIQUE (only its salt name, whose prefix rule gives
    # POTASSIUM): not matched; 60000004 has the wrong form and strength.
    assert out[["product_key", "cis"]].values.tolist() == [
        ["amoxicilline_1g_cp", "60000001"], ["amoxicilline_1g_cp", "60000003"]]


# --- the real file and durations ----------------------------------------------------------------


def test_real_notices_are_read_with_their_duplicates_dropped(real_notices: pd.DataFrame):
    assert len(real_notices) + real_notices.attrs["duplicates_dropped"] == 993
    assert real_notices.attrs["duplicates_dropped"] > 0
    assert real_notices.attrs["file_date"] == pd.Timestamp("2026-01-26")


def test_duration_samples_are_ages_of_open_notices(real_notices: pd.DataFrame,
                                                   real_bdpm: Path):
    from twin.sources.bdpm import load_mitm

    mitm = set(load_mitm(real_bdpm)["cis"])
    s = nt.duration_samples(real_notices, mitm)
    open_ = real_notices[real_notices["status"].isin(nt.SIGNAL_STATUSES)
                         & (real_notices["start"] >= nt.DURATION_FROM)]
    assert len(s["MITM"]) + len(s["non MITM"]) == len(open_)
    assert (np.diff(s["MITM"]) >= 0).all() and s["MITM"][0] >= 1
    # The conditional remaining time shrinks as the notice ages, and stays positive.
    young = nt.remaining_days(s["MITM"], 10, 9)
    old = nt.remaining_days(s["MITM"], 700, 9)
    assert (young > 0).all() and (old > 0).all() and np.median(old) < np.median(young)
    assert (nt.remaining_days(s["MITM"], 1e6, 3) == nt.DEFAULT_REMAINING_DAYS).all()


def test_replica_sentinel_notices_are_the_real_ones(real_notices: pd.DataFrame):
    followed = nt.followed_notices(real_notices, nt.load_sentinel_map())
    real = {(r.product_key, int(r.status), f"{r.start:%Y-%m-%d}", r.cis)
            for r in followed.itertuples(index=False)}
    for key, status, start, _, cis in REAL_SENTINEL_NOTICES:
        assert (key, status, start, cis) in real
    # And every followed product with a real notice has its episode in the replica.
    assert {k for k, *_ in REAL_SENTINEL_NOTICES} == set(followed["product_key"])


# --- signals: never before the start ----------------------------------------------------------


def _followed(rows: list[tuple[str, str, int, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({
        "product_key": [r[0] for r in rows], "cis": [r[1] for r in rows],
        "cip13": [None] * len(rows), "status": [r[2] for r in rows],
        "start": pd.to_datetime([r[3] for r in rows]),
        "updated": pd.to_datetime([r[3] for r in rows]),
        "back_in_stock": pd.to_datetime([r[4] for r in rows]),
        "link": [f"https://ansm.example/{r[1]}" for r in rows], "mitm": [True] * len(rows),
    })


SAMPLES = {"MITM": np.array([60.0, 120.0, 240.0]), "non MITM": np.array([30.0])}


def test_a_notice_is_a_signal_from_its_start_and_a_remise_never_is():
    followed = _followed([
        ("amoxicilline_1g_cp", "64539416", 2, "2022-03-10", None),
        ("amoxicilline_1g_cp", "62457618", 1, "2022-05-02", None),
        ("paracetamol_1g_cp", "61158602", 4, "2022-04-01", "2022-04-01"),
    ])
    dates = pd.date_range("2022-01-01", "2022-12-31")
    at = {d: dates.get_loc(pd.Timestamp(d)) for d in
          ("2022-03-09", "2022-03-10", "2022-05-01", "2022-05-02", "2022-12-31")}
    sig = nt.signal_arrays(followed, np.array(["amoxicilline_1g_cp", "paracetamol_1g_cp"]),
                           dates, SAMPLES)
    assert sig.status[0, at["2022-03-09"]] == 0 and sig.index[0, at["2022-03-09"]] == -1
    assert sig.status[0, at["2022-03-10"]] == 2 and sig.index[0, at["2022-03-10"]] == 0
    assert sig.status[0, at["2022-05-01"]] == 2
    assert sig.status[0, at["2022-05-02"]] == 1 and sig.index[0, at["2022-05-02"]] == 1
    assert sig.status[0, at["2022-12-31"]] == 1  # still open in the file
    assert sig.recent[0, at["2022-03-09"]] == 0 and sig.recent[0, at["2022-05-02"]] == 2
    assert (sig.status[1] == 0).all() and (sig.index[1] == -1).all()


def _case_ledger() -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    days = pd.date_range("2021-01-01", "2022-12-31")
    spec = gen.SeriesSpec(PITIE, AMOX, "CIP13", AMOX.cip13, np.full(len(days), 20.0), ())
    from twin.rng import stream

    arrays, _ = gen.simulate_series(spec, days[0].date(), stream(5, "notices"), 3)
    exp = arrays.pop("expected_day")
    frame = pd.DataFrame({"date": days, "finess": spec.site.finess, "produit": spec.code,
                          "type_code": spec.type_code, **arrays,
                          "date_livraison_prevue": pd.Series(
                              days[0] + pd.to_timedelta(np.maximum(exp, 0), "D")
                          ).where(exp >= 0)})
    return read_ledger("case.csv", raw=gen.ledger_text(frame)), days


def test_warning_is_backed_only_once_the_real_notice_has_started():
    led, _ = _case_ledger()
    followed = _followed([("amoxicilline_1g_cp", "64539416", 1, "2022-06-01", None)])
    real = nt.RealInputs(followed, SAMPLES, "test", pd.Timestamp("2026-01-26"))
    ctx = sh.prepare(led, None, None, real)
    before = sh.early_warnings(ctx, "2022-05-30", 8, n_paths=100).series.iloc[0]
    after = sh.early_warnings(ctx, "2022-06-06", 8, n_paths=100).series.iloc[0]
    assert before["avis_ansm"] == "" and before["statut_bdpm"] == 0
    assert after["avis_ansm"] == nt.BACKED_LABEL and after["statut_bdpm"] == 1
    assert after["avis_statut"] == "rupture" and after["avis_cis"] == "64539416"
    assert after["avis_debut"] == pd.Timestamp("2022-06-01")
    # Expected return: start + the median of the class durations longer than 5 days.
    assert after["avis_retour_prevu"] == pd.Timestamp("2022-06-06") + pd.Timedelta(115, "D")
    # The real rupture makes the warning stronger than without it, on the same numbers.
    plain = sh.early_warnings(sh.prepare(led, None), "2022-06-06", 8, n_paths=100)
    assert after["p_rupture_8s"] > plain.series.iloc[0]["p_rupture_8s"]
    rep = sh.early_warnings(ctx, "2022-06-06", 8, n_paths=100)
    assert len(rep.warnings) == 1
    assert "rupture fournisseur (avis ANSM réel du 01/06/2022)" in rep.warnings.iloc[0]["motif"]
    frame = sh.warnings_frame(rep.warnings)
    assert frame.iloc[0]["avis_ansm"] == nt.BACKED_LABEL
    assert frame.iloc[0]["avis_lien"] == "https://ansm.example/64539416"


def test_a_known_return_date_bounds_the_extra_delay():
    followed = _followed([("amoxicilline_1g_cp", "64539416", 2, "2022-06-01", "2022-06-20")])
    dates = pd.date_range("2022-01-01", "2022-12-31")
    sig = nt.signal_arrays(followed, np.array(["amoxicilline_1g_cp"]), dates, SAMPLES)
    t = dates.get_loc(pd.Timestamp("2022-06-10"))
    rem = nt.remaining_samples(sig, 0, t, pd.Timestamp("2022-06-10"), 4)
    assert rem is not None and (rem == 10).all()
    assert nt.remaining_samples(sig, 0, t - 20, pd.Timestamp("2022-05-21"), 4) is None


# --- the real-notice backtest -------------------------------------------------------------------


def test_backtest_counts_preceded_notices_and_false_alarms_by_hand():
    mondays = pd.date_range("2023-01-02", "2023-03-27", freq="W-MON")
    series_product = np.array(["amoxicilline_1g_cp", "paracetamol_1g_cp"])
    rows = []
    for d in mondays:
        for s in (0, 1):
            p = 0.0
            if s == 0 and d in (pd.Timestamp("2023-01-30"), pd.Timestamp("2023-02-06")):
                p = 0.9  # 17 and 10 days before the notice of 16 February
            if s == 1 and d == pd.Timestamp("2023-01-09"):
                p = 0.8  # followed by a stock-out on 20 January
            if s == 1 and d == pd.Timestamp("2023-03-06"):
                p = 0.8  # followed by nothing: a false alarm
            rows.append({"date": d, "series": s, "stock": 10.0, "p_2": p})
    warnings = pd.DataFrame(rows)
    events = pd.DataFrame({"series": [1], "start": pd.to_datetime(["2023-01-20"])})
    followed = _followed([
        ("amoxicilline_1g_cp", "64539416", 2, "2023-02-16", None),
        ("amoxicilline_1g_cp", "62457618", 2, "2023-02-16", None),  # same product and day
        ("paracetamol_1g_cp", "61158602", 1, "2023-03-30", None),  # never warned before
        ("paracetamol_1g_cp", "67165233", 4, "2023-02-01", "2023-02-01"),
    ])
    sc = nt.score_against_notices(warnings, series_product, events, followed,
                                  pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31"), 2,
                                  0.5)
    assert sc["real_notices"] == 2 and sc["real_notices_preceded"] == 1
    assert sc["median_lead_days"] == 10.0  # window [2 Feb, 16 Feb): only the 6 Feb warning
    assert sc["real_remises_unscorable"] == 1
    # Warnings: 30 Jan (notice starts 16 Feb: beyond 14 days → false), 6 Feb (notice within
    # 14 days), 9 Jan (stock-out 20 Jan), 6 Mar (paracetamol rupture 30 Mar: beyond → false).
    assert sc["warnings"] == 4 and sc["false_alarms"] == 2
    assert sc["false_alarm_rate"] == 0.5


def test_cli_marks_backed_warnings_and_says_the_ledger_is_not_real(tmp_path: Path, capsys):
    import xarray as xr

    from twin.cli import main

    led_path = tmp_path / "mouvements_stock_case.csv"
    days = pd.date_range("2021-01-01", "2022-12-31")
    spec = gen.SeriesSpec(PITIE, AMOX, "CIP13", AMOX.cip13, np.full(len(days), 20.0), ())
    from twin.rng import stream

    arrays, _ = gen.simulate_series(spec, days[0].date(), stream(5, "notices"), 3)
    exp = arrays.pop("expected_day")
    frame = pd.DataFrame({"date": days, "finess": spec.site.finess, "produit": spec.code,
                          "type_code": spec.type_code, **arrays,
                          "date_livraison_prevue": pd.Series(
                              days[0] + pd.to_timedelta(np.maximum(exp, 0), "D")
                          ).where(exp >= 0)})
    led_path.write_bytes(gen.ledger_text(frame))
    avis = tmp_path / "CIS_CIP_Dispo_Spec.txt"  # the real file's shape: ISO-8859-1, CRLF
    avis.write_bytes("\r\n".join([
        f"64539416\t\t1\tRupture de stock\t01/06/2022\t01/06/2022\t\t{ANSM}/clamoxyl-1-g",
        "61266250\t\t2\tTension d'approvisionnement\t01/01/2022\t01/06/2022\t\t"
        f"{ANSM}/a-313",
    ]).encode("iso-8859-1") + b"\r\n")
    out = tmp_path / "out"
    code = main(["shortages", "--ledger", str(led_path), "--as-of", "2022-06-06",
                 "--paths", "50", "--avis", str(avis), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Stock : registre fourni" in printed and "Avis ANSM : réels" in printed
    assert "avis ANSM réel (rupture)" in printed
    text = (out / "alertes.csv").read_text(encoding="utf-8")
    assert "avis ANSM réel;rupture;64539416;01/06/2022;" in text
    ds = xr.open_zarr(out / "projection.zarr", consolidated=False)
    assert bool(ds["avis_ansm_reel"].sel(produit=AMOX.key).values.all())
    # Before the notice's start: no backing, and the screen says so.
    code = main(["shortages", "--ledger", str(led_path), "--as-of", "2022-05-30",
                 "--paths", "50", "--avis", str(avis), "--out", str(tmp_path / "o2")])
    assert code == 0
    assert "avis ANSM réel (" not in capsys.readouterr().out
