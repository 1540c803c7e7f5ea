"""``twin compare``: statistics of each scenario and of its paired difference from the
baseline, exceedance probabilities, région pooling, incomplete replications left out."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import zarr

from twin.batch.compare import compare, compare_store, format_table, save
from twin.errors import DataError

pytestmark = pytest.mark.slow

VARIANT = "corse-rea-moins-50"


@pytest.fixture(scope="module")
def table(reference_store) -> pd.DataFrame:
    return compare_store(reference_store)[0]


def _row(table, indicator, territory, scenario, quantity):
    r = table[
        (table["indicator"] == indicator)
        & (table["territory"] == territory)
        & (table["scenario"] == scenario)
        & (table["quantity"] == quantity)
    ]
    assert len(r) == 1, (indicator, territory, scenario, quantity)
    return r.iloc[0]


def test_difference_is_paired_by_replication(table, reference_store):
    with xr.open_zarr(reference_store) as ds:
        x = ds["icu_capacity"].sel(dep="2A").mean("date").values  # (scenario, replication)
    d = _row(table, "icu_capacity", "2A", VARIANT, "difference")
    diffs = x[1] - x[0]
    assert d["mean"] == pytest.approx(diffs.mean())
    assert d["p5"] == pytest.approx(np.quantile(diffs, 0.05))
    assert d["mean"] < 0  # half the ICU beds from the second day
    # Common random numbers: an ICU cut does not change who comes to the ED, so the paired
    # difference in ED passages is exactly zero in every replication.
    e = _row(table, "ed_passages", "94", VARIANT, "difference")
    assert (e["mean"], e["p5"], e["p95"]) == (0.0, 0.0, 0.0)
    # The baseline has no difference rows.
    assert not ((table["scenario"] == "corse-ref") & (table["quantity"] == "difference")).any()


def test_quantiles_are_ordered_and_probabilities_consistent(table):
    q = table.dropna(subset=["p5", "p50", "p95"])
    assert (q["p5"] <= q["p50"] + 1e-9).all() and (q["p50"] <= q["p95"] + 1e-9).all()
    rates = table[
        table["indicator"].isin(["mco_occupancy_rate", "icu_occupancy_rate"])
        & (table["quantity"] == "value")
    ]
    assert len(rates) > 0
    assert rates["p_over_95pct"].between(0, 1).all()
    assert (rates["p_over_100pct"] <= rates["p_over_95pct"]).all()
    other = table[~table.index.isin(rates.index)]
    assert other["p_over_95pct"].isna().all()


def test_region_values_pool_the_departements(table):
    for ind in ("ed_passages", "icu_capacity", "samu_calls"):
        reg = _row(table, ind, "94", "corse-ref", "value")["mean"]
        deps = sum(_row(table, ind, d, "corse-ref", "value")["mean"] for d in ("2A", "2B"))
        assert reg == pytest.approx(deps, rel=1e-6)
    share = _row(table, "ed_los_over_4h_share", "94", "corse-ref", "value")["mean"]
    a, b = (
        _row(table, "ed_los_over_4h_share", d, "corse-ref", "value")["mean"] for d in ("2A", "2B")
    )
    assert min(a, b) - 1e-9 <= share <= max(a, b) + 1e-9
    assert not ((table["level"] == "reg") & (table["indicator"] == "smur_response_median")).any()


def test_only_complete_replications_are_compared(reference_store, tmp_path):
    copy = tmp_path / "partial.zarr"
    shutil.copytree(reference_store, copy)
    zarr.open_group(str(copy), mode="r+")["completed"][1, 3, 0] = False  # variant, rep 3
    with xr.open_zarr(copy) as ds:
        t = compare(ds, "corse-ref")
    assert _row(t, "ed_passages", "2A", VARIANT, "difference")["replications"] == 3
    assert _row(t, "ed_passages", "2A", "corse-ref", "value")["replications"] == 4


def test_unknown_baseline_and_non_store_are_clear_errors(reference_store, tmp_path):
    with pytest.raises(DataError, match=r"a scenario of the store.*found 'nope'"):
        compare_store(reference_store, "nope")
    with pytest.raises(DataError, match="no such file"):
        compare_store(tmp_path / "missing.zarr")


def test_table_prints_french_labels_and_saves(table, tmp_path):
    text = format_table(table, "corse-ref")
    assert f"{VARIANT} vs corse-ref — Corse (94), 4 réplications appariées" in text
    assert "Taux d'occupation des lits de réanimation (%)" in text
    csv = save(table, tmp_path / "c.csv")
    back = pd.read_csv(csv, dtype={"territory": str})
    assert len(back) == len(table) and set(back.columns) == set(table.columns)
    z = save(table, tmp_path / "c.zarr", {"baseline": "corse-ref"})
    with xr.open_zarr(z) as ds:
        assert ds.attrs["baseline"] == "corse-ref"
        v = ds["mean"].sel(
            indicator="icu_capacity",
            level="dep",
            territory="2A",
            scenario=VARIANT,
            quantity="difference",
        )
        assert float(v) == pytest.approx(
            _row(table, "icu_capacity", "2A", VARIANT, "difference")["mean"]
        )


@pytest.mark.parametrize("indicator", ["icu_occupancy_rate", "ed_los_over_4h_share"])
def test_period_rates_are_ratios_of_totals_as_on_the_dashboard(table, reference_store, indicator):
    """A period's rate is the ratio of its totals (bed-days occupied over bed-days open), the
    same number the dashboard shows (tests/test_aggregation.py: why not a mean of daily
    rates)."""
    from dashboard import stats
    from dashboard.catalogue import INDICATORS

    ind = next(i for i in INDICATORS if i.name == indicator)
    with xr.open_zarr(reference_store) as ds:
        sel = ds.sel(scenario=VARIANT)
        raw = {n: sel[n].transpose("replication", "dep", "date").values for n in ind.needs()}
        deps = [str(d) for d in ds["dep"].values]
        num, den = (sel[n].sel(dep="2A").values for n in ind.needs())
    if indicator.endswith("_rate"):
        totals = num.sum(axis=1) / den.sum(axis=1)
    else:  # a share pooled over passages: Σ share·passages / Σ passages
        totals = (num * den).sum(axis=1) / den.sum(axis=1)
    shown = stats.over_period(ind, stats.make_parts(ind, raw, None), slice(None))[
        :, deps.index("2A")
    ] / ind.scale
    row = _row(table, indicator, "2A", VARIANT, "value")
    assert row["mean"] == pytest.approx(totals.mean(), rel=1e-6)
    assert shown == pytest.approx(totals, rel=1e-6)
