"""The single forecasting path: schema, no leakage, seeding, fallbacks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forecasting.backtest import backtest_series
from forecasting.engine import METHODS, ShortSeriesWarning, forecast_series
from forecasting.series import QUANTILES
from tests.forecasting.helpers import daily
from twin.errors import DataError

ORIGIN = np.datetime64("2024-03-04")


def test_prophet_schema_ordering_and_non_negativity(nord):
    fc = forecast_series(nord, "prophet", 28, origin="2024-03-04", seed=1)
    assert fc.method == "prophet" and not fc.fell_back
    assert fc.dates[0] == ORIGIN and fc.dates.size == 28
    assert np.all(np.diff(fc.dates) == np.timedelta64(1, "D"))
    assert fc.quantiles.shape == (28, len(QUANTILES))
    assert (np.diff(fc.quantiles, axis=1) >= 0).all()  # q2.5 <= q10 <= q50 <= q90 <= q97.5
    assert (fc.quantiles >= 0).all()
    # The point forecast is the predictive median.
    np.testing.assert_allclose(fc.point, fc.quantiles[:, 2])
    # Sanity against the data: Nord has about 2,400 passages a day.
    assert 1500 < fc.point.mean() < 3500


def test_prophet_keeps_counts_non_negative_on_sparse_series():
    rng = np.random.default_rng(11)
    y = rng.poisson(0.3, 900).astype(float)
    fc = forecast_series(daily(y, deps=("2A",)), "prophet", 28, seed=3)
    assert fc.method == "prophet"
    assert (fc.quantiles >= 0).all() and (fc.point >= 0).all()
    assert fc.quantiles[:, 0].min() == 0.0  # log1p samples below 0 were clipped, not negated


@pytest.mark.parametrize("method", METHODS)
def test_no_leakage_corrupting_the_future_changes_nothing(nord, method):
    before = forecast_series(nord, method, 28, origin=str(ORIGIN), seed=5)
    future = nord.dates >= ORIGIN
    corrupted = nord.with_values(np.where(future, nord.values * 7 + 1000, nord.values))
    after = forecast_series(corrupted, method, 28, origin=str(ORIGIN), seed=5)
    np.testing.assert_array_equal(before.point, after.point)
    np.testing.assert_array_equal(before.quantiles, after.quantiles)


def test_backtest_windows_do_not_leak(nord):
    origins = ["2024-01-08", "2024-03-04"]
    methods = {"naive": origins, "ets": origins, "seasonal_naive": origins}
    ref = backtest_series(nord, origins, 28, methods)
    cut = nord.dates >= np.datetime64("2024-03-04")
    corrupted = nord.with_values(np.where(cut, nord.values * 3, nord.values))
    bt = backtest_series(corrupted, origins, 28, methods)
    np.testing.assert_array_equal(ref.point, bt.point)
    np.testing.assert_array_equal(ref.quantiles, bt.quantiles)
    np.testing.assert_array_equal(ref.scale, bt.scale)  # MASE scale from training only
    assert not np.array_equal(ref.actual[1], bt.actual[1])  # ... while the truth changed


def test_same_seed_identical_other_seed_different(nord):
    a = forecast_series(nord, "prophet", 14, origin="2024-06-03", seed=42)
    b = forecast_series(nord, "prophet", 14, origin="2024-06-03", seed=42)
    c = forecast_series(nord, "prophet", 14, origin="2024-06-03", seed=43)
    np.testing.assert_array_equal(a.quantiles, b.quantiles)
    assert not np.array_equal(a.quantiles, c.quantiles)  # the intervals are sampled


def test_prophet_leaves_the_global_numpy_state_alone(nord):
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    forecast_series(nord, "prophet", 7, origin="2024-06-03")
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_short_series_falls_back_with_a_stated_warning():
    spec = daily(np.arange(100.0) % 7 + 50, name="short")
    with pytest.warns(ShortSeriesWarning, match="prophet replaced by ets") as rec:
        fc = forecast_series(spec, "prophet", 28)
    assert fc.method == "ets" and fc.requested == "prophet"
    assert "prophet needs 182 observations, the history has 100" in fc.note
    assert "short" in str(rec[0].message)


@pytest.mark.parametrize(("n", "used"), [(20, "naive"), (5, "climatology"), (1, "climatology")])
def test_very_short_series_never_crash(n, used):
    spec = daily(np.full(n, 30.0) + np.arange(n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        fc = forecast_series(spec, "prophet", 28)
    assert fc.method == used
    assert fc.point.shape == (28,) and np.isfinite(fc.quantiles).all()
    assert (np.diff(fc.quantiles, axis=1) >= 0).all()


def test_constant_series_ets_fails_over_to_naive():
    with pytest.warns(ShortSeriesWarning, match="ets failed"):
        fc = forecast_series(daily(np.full(200, 12.0)), "ets", 7)
    assert fc.method == "naive"
    np.testing.assert_array_equal(fc.point, 12.0)


def test_origin_after_the_data_forecasts_through_the_gap(weekly):
    last = weekly.dates[-1]
    origin = last + np.timedelta64(10, "D")
    fc = forecast_series(weekly, "naive", 7, origin=str(origin))
    assert fc.dates[0] == origin and fc.dates.size == 7
    full = forecast_series(weekly, "naive", 16)  # from the day after the data
    np.testing.assert_array_equal(fc.dates, full.dates[9:])
    np.testing.assert_array_equal(fc.point, full.point[9:])


def test_origin_before_the_data_is_a_data_error(weekly):
    with pytest.raises(DataError, match="observations before the origin"):
        forecast_series(weekly, "naive", 7, origin="2020-01-01")


def test_unknown_method_is_refused(weekly):
    with pytest.raises(ValueError, match="unknown method"):
        forecast_series(weekly, "arima", 7)


def test_covid_period_leaves_prophet_training_only_once_it_is_over():
    from forecasting.prophet_engine import without_shocks

    days = np.arange(np.datetime64("2019-01-01"), np.datetime64("2023-01-01"))
    keep = without_shocks(days)
    inside = (days >= np.datetime64("2020-03-01")) & (days <= np.datetime64("2021-12-31"))
    assert not keep[inside].any() and keep[~inside].all()
    # An origin during the shock: the recent (shocked) level must be seen, nothing dropped.
    during = days[days < np.datetime64("2021-06-01")]
    assert without_shocks(during).all()
