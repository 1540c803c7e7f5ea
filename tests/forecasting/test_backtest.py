"""Rolling-origin backtest bookkeeping and metric definitions."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.backtest import (
    SeriesBacktest,
    backtest_series,
    mase_scale,
    metrics_table,
    rolling_origins,
)
from forecasting.series import QUANTILES
from tests.forecasting.helpers import WEEK


def test_rolling_origins_every_28_days():
    o = rolling_origins("2023-01-01", "2024-12-31", 28)
    assert o[0] == "2023-01-01" and o[1] == "2023-01-29" and o[-1] == "2024-12-29"
    assert len(o) == 27


def test_origins_without_a_full_observed_horizon_are_skipped(weekly):
    last = str(weekly.dates[-1])
    ok = str(weekly.dates[-28])  # exactly 28 observed days from here
    bt = backtest_series(weekly, [ok, last], 28, ["naive"])
    assert [str(o) for o in bt.origins] == [ok]
    np.testing.assert_array_equal(bt.actual[0], weekly.values[-28:])


def test_mase_scale_is_the_in_sample_weekday_naive_mae():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9])
    assert mase_scale(y, "D") == pytest.approx(np.mean([2, 0, 0, 0, 0, 0, 2]))
    assert np.isnan(mase_scale(np.tile(WEEK, 5), "D"))  # zero scale is undefined, not inf


def _toy(actual, point, lo80, hi80, scale=2.0, method="naive"):
    n = len(actual)
    q = np.zeros((1, 1, n, len(QUANTILES)))
    q[..., QUANTILES.index(0.1)] = lo80
    q[..., QUANTILES.index(0.9)] = hi80
    q[..., QUANTILES.index(0.025)] = np.asarray(lo80) - 100
    q[..., QUANTILES.index(0.975)] = np.asarray(hi80) + 100
    q[..., QUANTILES.index(0.5)] = point
    return SeriesBacktest(
        "s", (method,), np.array(["2024-01-01"], dtype="datetime64[D]"),
        np.array([actual], dtype=float), np.array([[point]], dtype=float), q,
        np.array([np.sum(actual)], dtype=float), q.sum(axis=2), np.array([scale]),
        np.array([[method]], dtype=object))


def test_metrics_by_hand():
    bt = _toy(actual=[10, 10, 0, 20, 10, 10, 10], point=[12, 10, 0, 10, 10, 10, 10],
              lo80=[11, 9, 0, 5, 0, 0, 0], hi80=[13, 11, 0, 15, 20, 20, 20])
    t = metrics_table([bt], horizons=(1, 4), bands=((1, 7),)).set_index("horizon")
    assert t.loc["1", "mase"] == pytest.approx(1.0)  # |10-12| / 2
    assert t.loc["4", "mase"] == pytest.approx(5.0)
    assert t.loc["1-7", "mase"] == pytest.approx(12 / 7 / 2)
    # sMAPE: 0/0 counts as 0; h=1: 200*2/22.
    assert t.loc["1", "smape"] == pytest.approx(200 * 2 / 22)
    assert t.loc["1-7", "smape"] == pytest.approx((200 * 2 / 22 + 200 * 10 / 30) / 7)
    # Coverage: h=1 and h=4 fall outside their 80 % interval, the 95 % holds everywhere.
    assert t.loc["1-7", "coverage_80"] == pytest.approx(5 / 7)
    assert t.loc["1-7", "coverage_95"] == pytest.approx(1.0)
    assert t.loc["1-7", "rel_mae_vs_naive"] == pytest.approx(1.0)  # it *is* the naive
    assert t.loc["1-7", "n"] == 7


def test_backtest_scores_weekday_naive_perfectly_on_a_weekly_series(weekly):
    origins = [str(weekly.dates[-56]), str(weekly.dates[-28])]
    bt = backtest_series(weekly, origins, 28, ["naive", "seasonal_naive"])
    np.testing.assert_array_equal(bt.point[0], bt.actual)  # weekday naive: exact
    t = metrics_table([bt]).set_index(["method", "horizon"])
    assert t.loc[("naive", "1-28"), "smape"] == 0.0
    # Zero in-sample error: a zero-width interval that still contains the truth.
    assert t.loc[("naive", "1-28"), "coverage_80"] == 1.0
    assert np.isnan(t.loc[("naive", "1-28"), "mase"])  # scale 0: MASE undefined, not inf


def test_common_cells_only_by_default(noisy):
    origins = [str(noisy.dates[-84]), str(noisy.dates[-56]), str(noisy.dates[-28])]
    bt = backtest_series(noisy, origins, 28, {"naive": origins, "ets": origins[:1]})
    common = metrics_table([bt]).set_index(["method", "horizon"])
    every = metrics_table([bt], common=False).set_index(["method", "horizon"])
    assert common.loc[("naive", "1"), "n"] == 1 and every.loc[("naive", "1"), "n"] == 3
    assert every.loc[("ets", "1"), "n"] == 1
