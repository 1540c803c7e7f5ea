"""Bottom-up reconciliation: aggregates add up exactly; intervals stay ordered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.demand import ed_series, forecast_ed
from forecasting.engine import forecast_series
from forecasting.reconcile import bottom_up, build_hierarchy, reconcile
from tests.forecasting.helpers import WEEK, daily


def test_summing_matrix_from_parents():
    h = build_hierarchy({"a": ["R1", "FR"], "b": ["R1", "FR"], "c": ["R2", "FR"]})
    assert h.aggregates == ("R1", "FR", "R2")
    np.testing.assert_array_equal(h.S, [[1, 1, 0], [1, 1, 1], [0, 0, 1]])
    assert h.children("R1") == ("a", "b")
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(bottom_up(h, x), [[2, 4], [6, 9], [4, 5]])


def test_reconciled_points_sum_exactly_and_intervals_are_recentred():
    rng = np.random.default_rng(2)
    specs = {n: daily(rng.poisson(np.tile(WEEK, 60) * k).astype(float), name=n)
             for n, k in (("a", 1.0), ("b", 2.5), ("c", 0.3))}
    bottom = {n: forecast_series(s, "ets", 14, warn=False) for n, s in specs.items()}
    total = daily(sum(s.values for s in specs.values()), name="T")
    base = {"T": forecast_series(total, "ets", 14, warn=False)}
    h = build_hierarchy({n: ["T"] for n in specs})
    agg = reconcile(h, bottom, base)["T"]
    np.testing.assert_allclose(agg.point, sum(b.point for b in bottom.values()),
                               rtol=1e-13, atol=0)
    assert agg.total_point == pytest.approx(sum(b.total_point for b in bottom.values()),
                                            rel=1e-13)
    assert (np.diff(agg.quantiles, axis=1) >= 0).all() and (agg.quantiles >= 0).all()
    # Relative interval of the aggregate's own model, re-centred on the bottom-up point.
    ratio = agg.quantiles / agg.point[:, None]
    np.testing.assert_allclose(ratio, base["T"].quantiles / base["T"].point[:, None],
                               rtol=1e-12)
    assert agg.method == "bottom-up:ets"


def test_without_base_forecast_quantiles_are_summed():
    specs = {n: daily(np.tile(WEEK, 30) + i, name=n) for i, n in enumerate("ab")}
    bottom = {n: forecast_series(s, "naive", 7, warn=False) for n, s in specs.items()}
    h = build_hierarchy({"a": ["T"], "b": ["T"]})
    agg = reconcile(h, bottom)["T"]
    np.testing.assert_allclose(agg.quantiles, bottom["a"].quantiles + bottom["b"].quantiles)


def test_partial_region_gets_no_regional_total():
    dates = pd.date_range("2024-01-01", periods=30)
    table = pd.concat([pd.DataFrame({"dep": d, "date": dates, "passages": 10})
                       for d in ("59", "62", "2A", "2B")])
    _, aggregates, parents = ed_series(table, ["59", "62", "2A", "2B"])
    # Corse (94) is complete, Hauts-de-France (32) is not: only Corse is aggregated.
    assert [a.name for a in aggregates] == ["ed/reg:94"]
    assert parents["ed/dep:2A"] == ["ed/reg:94"] and parents["ed/dep:59"] == []
    np.testing.assert_array_equal(aggregates[0].values, 20.0)


def test_ed_dataset_region_equals_sum_of_departements():
    ds = forecast_ed(["2A", "2B"], method="naive", origin="2024-06-01", horizon=14)
    reg = ds["point"].sel(series="ed/reg:94")
    deps = ds["point"].sel(series=["ed/dep:2A", "ed/dep:2B"]).sum("series")
    np.testing.assert_allclose(reg, deps, rtol=1e-13, atol=0)
    assert (ds["forecast"].diff("quantile") >= 0).all()
    assert ds.attrs["reconciliation"].startswith("bottom-up")


def test_by_age_departement_total_is_the_sum_of_its_classes():
    ds = forecast_ed(["2A", "2B"], by_age=True, method="prophet", origin="2024-06-01",
                     horizon=7)
    for dep in ("2A", "2B"):
        classes = ds["point"].sel(series=[f"ed/dep:{dep}/{a}" for a in "ABCDE"]).sum("series")
        np.testing.assert_allclose(ds["point"].sel(series=f"ed/dep:{dep}"), classes,
                                   rtol=1e-13, atol=0)
    region = ds["point"].sel(series="ed/reg:94")
    all_classes = ds["point"].where(ds["group"] != "all", drop=True).sum("series")
    np.testing.assert_allclose(region, all_classes, rtol=1e-12, atol=0)
    # Prophet medians re-centred: the région's median is its bottom-up point.
    np.testing.assert_allclose(ds["forecast"].sel(series="ed/reg:94", quantile=0.5), region,
                               rtol=1e-12)
