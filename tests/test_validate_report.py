"""``twin validate``: the report builds on a 2-département run (Corse), every number traces
to a store or a source file, the HTML is offline, and bad input exits 2.

The Corse run (2 départements, 2 replications of 3 days after 2 days of warm-up, with the
held-out years) runs in-process once for the module; the traceability tests re-derive
numbers from the raw SAE CSV files (not through the loaders) and from the région stores.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from twin.cli import main as cli
from twin.paths import data_dir
from twin.validation import build
from twin.validation import heldout as ho
from twin.validation import tables as tb

SETTINGS = build.Settings(
    deps=("2A", "2B"), year=2023, start="2023-03-06", days=3, warmup_days=2,
    replications=2, seed=7, held_out=True,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("validation")
    result = build.run(SETTINGS, out, client=None)
    build.write(result, out)
    return out


@pytest.fixture(scope="module")
def payload(report) -> dict:
    return json.loads((report / "validation.json").read_text(encoding="utf-8"))


def _raw(path: str) -> pd.DataFrame:
    return pd.read_csv(data_dir().parent / path, sep=";", encoding="latin-1", dtype=str)


def _dep_of_finess(year: int) -> pd.Series:
    ids = _raw(f"data/real/sae/{year}/ID_{year}r.csv")
    return ids.set_index("fi")["dep"]


@pytest.mark.slow
def test_report_files_are_written_and_recorded(report, payload):
    for name in build.OUTPUT_FILES:
        assert (report / name).exists(), name
    marker = json.loads((report / ".twin-outputs.json").read_text())
    assert marker["validation.html"] == build.COMMAND
    assert payload["settings"]["deps"] == ["2A", "2B"]
    assert {r["indicator"] for r in payload["france"]} == set(build.INDICATORS)
    assert set(payload["heldout"]) == {"2023->2024", "2022->2023"}


@pytest.mark.slow
def test_observed_values_trace_to_the_raw_sae_files(payload):
    """ED passages and adult-ICU occupied beds of Corse-du-Sud, recomputed from the SAE
    files and columns the JSON names (the département comes from the ID file)."""
    prov = payload["provenance"]["observed"]
    dep = _dep_of_finess(2023)
    rows = {(r["dep"], r["indicator"]): r for r in payload["departements"]}

    ed = _raw(prov["ed_passages"]["file"])
    assert prov["ed_passages"]["columns"] == "PASSU"
    ed["dep"] = ed["FI"].map(dep)
    passages = pd.to_numeric(ed.loc[ed["dep"] == "2A", "PASSU"]).sum() / 365
    assert rows[("2A", "ed_passages")]["observed"] == pytest.approx(passages, rel=1e-9)

    rea = _raw(prov["icu_occupied"]["file"])
    rea["dep"] = rea["FI"].map(dep)
    sel = (rea["dep"] == "2A") & (rea["UNI"] == "REAADU")
    jou = pd.to_numeric(rea.loc[sel, "JOU"]).sum() / 365
    assert rows[("2A", "icu_occupied")]["observed"] == pytest.approx(jou, rel=1e-9)
    lits = pd.to_numeric(rea.loc[sel, "LIT"]).sum()
    assert rows[("2A", "icu_occupied")]["occupancy_obs_pct"] == pytest.approx(
        jou / lits * 100, rel=1e-9
    )


@pytest.mark.slow
def test_simulated_values_trace_to_the_region_stores(report, payload):
    stores = payload["provenance"]["simulated"]["stores"]
    rows = {(r["dep"], r["indicator"]): r for r in payload["departements"]}
    with xr.open_zarr(report / stores["2B"]) as ds:
        for ind in ("ed_passages", "mco_occupied", "smur_missions"):
            per_rep = ds[ind].sel(dep="2B").mean("date").to_numpy()
            r = rows[("2B", ind)]
            assert r["simulated"] == pytest.approx(per_rep.mean(), rel=1e-9)
            assert r["simulated_min"] == pytest.approx(per_rep.min(), rel=1e-9)
            expected = r["observed"] * (float(ds["season"].sel(dep="2B"))
                                        if ind in tb.SEASONAL else 1.0)
            assert r["expected"] == pytest.approx(expected, rel=1e-9)
    hist = 0
    for path in set(stores.values()):  # one store per région (Corse: both départements)
        with xr.open_zarr(report / path) as ds:
            hist = hist + ds["ed_los_histogram"].sum("replication").sel(group="all").to_numpy()
    los = {r["group"]: r for r in payload["ed_length_of_stay"]}["all"]
    assert los["episodes"] == int(hist.sum())
    # Every ED passage of the compared days is one episode of the length-of-stay histogram
    # (warm-up arrivals are left out; patients still in the ED or its short-stay unit at the
    # end are not counted: on a 3-day window, several percent).
    nat = {r["indicator"]: r for r in payload["france"]}["ed_passages"]
    simulated_passages = nat["simulated"] * SETTINGS.days * SETTINGS.replications
    assert los["episodes"] <= simulated_passages
    assert los["episodes"] > 0.85 * simulated_passages


@pytest.mark.slow
def test_admission_share_by_age_keeps_each_units_sae_share(report, payload):
    """The by-age shares are the model's construction: weighted by passages they give back
    the SAE share of the units (ward or critical care, transfers apart), and rise with age."""
    from twin.network import build_network, load_inputs

    rows = payload["ed_admission_by_age"]
    shares = [r["admitted_share"] for r in rows]
    assert shares == sorted(shares)
    inputs = load_inputs(2023, list(SETTINGS.deps))
    net = build_network(inputs, list(SETTINGS.deps), pd.Timestamp(SETTINGS.start).date(), 3)
    admitted = sum(u.annual_passages * u.admit_share for e in net.establishments for u in e.eds)
    pooled = sum(r["passages_year"] * r["admitted_share"] for r in rows)
    assert pooled == pytest.approx(admitted, rel=0.01)


@pytest.mark.slow
def test_html_is_french_offline_and_self_contained(report):
    text = (report / "validation.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in text
    assert "Validation du jumeau" in text and "Année non vue" in text
    assert not re.search(r"<script[^>]+src=", text), "a script is loaded from elsewhere"
    assert not re.search(r"<link[^>]+href=[\"']https?:", text)
    assert "cdn.plot.ly" not in text.split("<body>")[1]
    assert len(text) > 3_000_000  # plotly.js is inlined
    assert "Choroplethmap" not in text or "white-bg" in text


@pytest.mark.slow
def test_a_second_run_reuses_the_region_stores(report):
    from twin.validation.runner import run_regions

    tasks = build.all_tasks(SETTINGS)
    again = run_regions([t for ts in tasks.values() for t in ts], report / build.RUNS)
    assert again.computed == [] and len(again.skipped) == 3


def test_heldout_scores_persistence_and_model_against_the_target_year():
    obs_c = pd.DataFrame({"ed_passages": [100.0, 200.0]}, index=pd.Index(["01", "02"], name="dep"))
    obs_t = pd.DataFrame({"ed_passages": [110.0, 200.0]}, index=pd.Index(["01", "02"], name="dep"))
    model = pd.DataFrame(
        {"dep": ["01", "02"], "indicator": "ed_passages", "model": [110.0, 180.0]}
    )
    detail, summary = ho.score(model, obs_c, obs_t)
    assert set(detail["dep"]) == {"01", "02"}
    s = summary.set_index("indicator").loc["ed_passages"]
    assert s["model_mape"] == pytest.approx((0 + 10) / 2)
    assert s["persistence_mape"] == pytest.approx((100 / 11 + 0) / 2)
    assert s["model_better"] == 1
    assert s["national_persistence_error_pct"] == pytest.approx((300 / 310 - 1) * 100)


def test_pooled_length_of_stay_reads_medians_and_shares_from_the_histogram():
    starts = np.arange(0, 12, 0.25)
    counts = np.zeros((1, 1, len(starts)), dtype=np.int64)
    counts[0, 0, starts == 2.0] = 60  # stays in [2 h, 2 h 15)
    counts[0, 0, starts == 9.0] = 40  # stays in [9 h, 9 h 15)
    ds = xr.Dataset(
        {"ed_los_histogram": (("replication", "group", "bin_start_hours"), counts)},
        coords={"group": ["all"], "bin_start_hours": starts},
    )
    r = tb.pooled_los([ds]).iloc[0]
    assert r["median_hours"] == pytest.approx(2.25)
    assert r["share_over_8h"] == pytest.approx(0.4)
    assert r["share_over_4h"] == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--regions", "99"], "--regions"),
        (["--year", "2031"], "--year"),
        (["--start", "02-30"], "--start"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(argv, words, tmp_path, capsys):
    assert cli(["validate", *argv, "--out", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("error:")
    assert not (tmp_path / "v").exists()


def test_bad_numbers_exit_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli(["validate", "--days", "0", "--out", str(tmp_path / "v")])
    assert exc.value.code == 2


def test_a_file_it_did_not_write_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "v"
    out.mkdir()
    (out / "validation.html").write_text("mine")
    assert cli(["validate", "--regions", "94", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "validation.html").read_text() == "mine"
