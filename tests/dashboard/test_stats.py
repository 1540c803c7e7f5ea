"""Statistics behind the charts, checked against direct computations."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import stats
from dashboard.catalogue import BY_NAME

RNG = np.random.default_rng(7)


def _raw(reps=6, deps=3, days=10):
    occ = RNG.uniform(50, 100, (reps, deps, days))
    cap = RNG.uniform(100, 120, (reps, deps, days))
    share = RNG.uniform(0, 0.5, (reps, deps, days))
    passages = RNG.integers(0, 200, (reps, deps, days)).astype(float)
    return {"mco_occupied_mean": occ, "mco_capacity": cap, "ed_los_over_4h_share": share,
            "ed_passages": passages}


def test_region_rate_is_ratio_of_sums_not_mean_of_rates():
    raw = _raw()
    ind = BY_NAME["mco_occupancy_rate"]
    m = stats.group_matrix(["a", "b", "c"], {"R": ["a", "b"], "S": ["c"]})
    parts = stats.make_parts(ind, raw, m)
    got = stats.over_period(ind, parts, slice(None))
    occ, cap = raw["mco_occupied_mean"], raw["mco_capacity"]
    want_r = 100 * occ[:, :2].sum(axis=(1, 2)) / cap[:, :2].sum(axis=(1, 2))
    np.testing.assert_allclose(got[:, 0], want_r)
    mean_of_rates = 100 * (occ[:, :2] / cap[:, :2]).mean(axis=(1, 2))
    assert not np.allclose(got[:, 0], mean_of_rates)


def test_weighted_share_pools_by_passages():
    raw = _raw()
    raw["ed_passages"][:, 0, :] = 0  # a département without passages weighs nothing
    raw["ed_los_over_4h_share"][:, 0, :] = np.nan
    ind = BY_NAME["ed_los_over_4h_share"]
    m = stats.group_matrix(["a", "b", "c"], {"R": ["a", "b", "c"]})
    got = stats.over_period(ind, stats.make_parts(ind, raw, m), slice(0, 5))
    x, w = raw["ed_los_over_4h_share"][:, 1:, :5], raw["ed_passages"][:, 1:, :5]
    np.testing.assert_allclose(got[:, 0], 100 * (x * w).sum(axis=(1, 2)) / w.sum(axis=(1, 2)))


def test_count_period_is_mean_per_day_and_missing_dep_makes_group_unknown():
    raw = _raw()
    ind = BY_NAME["ed_passages"]
    m = stats.group_matrix(["a", "b", "c"], {"R": ["a", "b"], "S": ["c"]})
    p = stats.make_parts(ind, raw, m)
    np.testing.assert_allclose(stats.over_period(ind, p, slice(None))[:, 1],
                               raw["ed_passages"][:, 2].mean(axis=1))
    raw["ed_passages"][0, 0, 3] = np.nan
    p = stats.make_parts(ind, raw, m)
    assert np.isnan(p["x"][0, 0, 3]) and not np.isnan(p["x"][0, 1, 3])


def test_median_indicator_refuses_aggregation():
    ind = BY_NAME["smur_response_median"]
    with pytest.raises(ValueError, match="cannot be aggregated"):
        stats.make_parts(ind, {"smur_response_median": np.ones((2, 2, 2))},
                         np.ones((1, 2)))


def test_summary_and_paired_difference():
    v = RNG.normal(10, 2, (50, 4))
    b = v - np.array([1.0, 2.0, 0.0, -1.0]) + RNG.normal(0, 0.01, (50, 4))
    s = stats.summarise(v)
    np.testing.assert_allclose(s.mean, v.mean(axis=0))
    np.testing.assert_allclose(s.p5, np.percentile(v, 5, axis=0))
    np.testing.assert_allclose(s.p95, np.percentile(v, 95, axis=0))
    d = stats.statistic(v, b, "diff")
    np.testing.assert_allclose(d, [1, 2, 0, -1], atol=0.01)
    pct = stats.statistic(v, b, "diff_pct")
    np.testing.assert_allclose(pct, 100 * d / b.mean(axis=0))
    # Pairing: the interval of the paired difference is far narrower than unpaired noise.
    r = stats.ranking(v, b)
    assert (r["p95"] - r["p5"] < 0.1).all()
    assert list(r["order"][:2]) == [1, 0] or list(r["order"][:2]) == [1, 3]
    np.testing.assert_allclose(r["p_worse"], [1, 1, 0.5, 0], atol=0.5)
    assert r["p_worse"][0] == 1 and r["p_worse"][3] == 0


def test_exceedance_counts_replications_with_any_day_over():
    d = np.array([[0.5, 0.96, 0.7], [0.5, 0.6, 0.7], [0.99, 0.2, 0.1], [np.nan] * 3])
    p, lo, hi, n = stats.exceedance(d, 0.95)
    assert n == 3 and p == pytest.approx(2 / 3)
    assert 0 <= lo < p < hi <= 1


def test_wilson_interval_contains_p_and_narrows_with_n():
    lo1, hi1 = stats.wilson(5, 10)
    lo2, hi2 = stats.wilson(500, 1000)
    assert lo1 < 0.5 < hi1 and lo2 < 0.5 < hi2
    assert hi2 - lo2 < hi1 - lo1
    assert stats.wilson(0, 10)[0] == 0.0 and stats.wilson(10, 10)[1] == 1.0


def test_fan_quantiles_are_ordered():
    f = stats.fan(RNG.normal(size=(40, 12)))
    assert (f["p5"] <= f["p25"]).all() and (f["p25"] <= f["p50"]).all()
    assert (f["p50"] <= f["p75"]).all() and (f["p75"] <= f["p95"]).all()
