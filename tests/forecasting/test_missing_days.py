"""Explicit missing days in a series: accepted only when declared, never read as zero,
bridged for fitting only when short, and a long run of them ends the usable history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import backtest_series, mase_scale, metrics_table
from forecasting.engine import METHODS, forecast_series
from forecasting.series import SeriesSpec, usable_history
from tests.forecasting.helpers import WEEK, daily
from twin.errors import DataError


def _with_nan(values: np.ndarray, where: slice) -> np.ndarray:
    v = np.asarray(values, dtype=float).copy()
    v[where] = np.nan
    return v


def test_nan_is_an_error_unless_the_series_declares_missing_days():
    v = _with_nan(np.tile(WEEK, 10), slice(20, 22))
    dates = pd.date_range("2021-01-04", periods=v.size).to_numpy()
    with pytest.raises(DataError, match="a count in series s"):
        SeriesSpec("s", "D", dates, v)
    spec = SeriesSpec("s", "D", dates, v, missing_ok=True)
    assert spec.n_missing == 2
    assert spec.with_values(spec.values).missing_ok


@pytest.mark.parametrize("bad, message", [
    (np.full(20, np.nan), "all 20 values missing"),
    (np.r_[np.ones(10), np.inf, np.ones(9)], "inf"),
    (np.r_[np.ones(10), -1.0, np.nan, np.ones(8)], "a count >= 0"),
])
def test_declared_missing_days_keep_the_other_checks(bad, message):
    dates = pd.date_range("2021-01-04", periods=bad.size).to_numpy()
    with pytest.raises(DataError, match=message):
        SeriesSpec("s", "D", dates, bad, missing_ok=True)


def test_usable_history_bridges_short_runs_by_last_weeks_same_day_and_cuts_at_long_ones():
    y = np.tile(WEEK, 8)
    short = _with_nan(y, slice(30, 33))
    start, filled = usable_history(short)
    assert start == 0
    np.testing.assert_array_equal(filled[30:33], y[23:26])  # perfectly weekly: exact
    assert np.isnan(short[30:33]).all()  # the input is not modified
    long = _with_nan(y, slice(10, 20))  # 10 > 7 missing days
    start, filled = usable_history(long)
    assert start == 20 and filled.size == y.size - 20 and not np.isnan(filled).any()


@pytest.mark.parametrize("method", [m for m in METHODS if m not in ("prophet", "ensemble")])
def test_every_method_forecasts_a_series_with_missing_days(method):
    rng = np.random.default_rng(3)
    v = rng.poisson(np.tile(WEEK, 60)).astype(float)
    v = _with_nan(v, slice(300, 304))
    v[-2:] = np.nan  # provisional end
    spec = SeriesSpec("s", "D", pd.date_range("2021-01-04", periods=v.size).to_numpy(), v,
                      missing_ok=True)
    fc = forecast_series(spec, method, 14, warn=False)
    assert np.isfinite(fc.quantiles).all() and (fc.quantiles >= 0).all()
    # Default origin: the day after the last date, provisional days included.
    assert fc.dates[0] == spec.dates[-1] + np.timedelta64(1, "D")


def test_backtest_never_scores_a_missing_day():
    v = np.tile(WEEK, 30).astype(float)
    spec = daily(v)
    holed = SeriesSpec("s", "D", spec.dates, _with_nan(v, slice(150, 153)), missing_ok=True)
    origins = [str(spec.dates[140]), str(spec.dates[168])]
    res = backtest_series(holed, origins, 14, ["naive"])
    table = metrics_table([res], horizons=(1,), bands=((1, 14),)).set_index("horizon")
    assert table.loc["1-14", "n"] == 2 * 14 - 3
    # A perfectly weekly series with bridged days is still forecast exactly.
    assert np.nansum(np.abs(res.point[0] - res.actual)) == 0
    # The 14-day total is scored only where every day of it is known.
    assert np.isnan(res.total_actual[0]) and np.isfinite(res.total_actual[1])
    assert table.loc["total", "n"] == 1
    assert mase_scale(_with_nan(v[:100] + np.arange(100), slice(50, 52)), "D") == 7.0
