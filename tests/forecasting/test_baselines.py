"""Baselines on constructed series whose right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import baselines
from forecasting.engine import forecast_series
from forecasting.series import QUANTILES
from tests.forecasting.helpers import WEEK, daily


def test_weekday_naive_reproduces_a_weekly_series_exactly(weekly):
    fc = forecast_series(weekly, "naive", 28)
    expected = np.tile(WEEK, 4)  # the series ends on a Sunday: next day is a Monday
    np.testing.assert_array_equal(fc.point, expected)
    # No in-sample error at any lag: the interval collapses onto the point.
    np.testing.assert_allclose(fc.quantiles, np.repeat(expected[:, None], 5, axis=1),
                               rtol=1e-12)
    assert fc.method == "naive"


def test_weekday_naive_uses_the_same_weekday_of_the_last_observed_week():
    y = np.arange(1.0, 22.0)  # three weeks, 1..21
    d = baselines.naive(y, 10, period=7)
    # h=1..7 -> last week (15..21); h=8..10 -> the same week again (15..17).
    np.testing.assert_array_equal(d.point, [15, 16, 17, 18, 19, 20, 21, 15, 16, 17])


def test_seasonal_naive_reproduces_a_364_day_periodic_series():
    rng = np.random.default_rng(1)
    season = rng.integers(50, 150, 364).astype(float)
    spec = daily(np.tile(season, 3))
    fc = forecast_series(spec, "seasonal_naive", 28)
    np.testing.assert_array_equal(fc.point, season[:28])
    assert fc.method == "seasonal_naive"


def test_monthly_naives():
    y = np.tile(np.arange(10.0, 22.0), 3)  # same 12 months, three years
    np.testing.assert_array_equal(baselines.naive(y, 3, period=12).point, [10, 11, 12])
    np.testing.assert_array_equal(baselines.naive(y, 3, period=1).point, [21, 21, 21])


def test_ets_tracks_a_clean_weekly_pattern(noisy):
    fc = forecast_series(noisy, "ets", 14)
    assert fc.method == "ets"
    # The shape of the week is learnt: Mondays above Sundays in every forecast week.
    assert fc.point[0] > fc.point[6] and fc.point[7] > fc.point[13]
    # The interval widens with the horizon (the model's own variance ratio): compare the
    # relative widths of two Mondays, a week apart.
    rel = (fc.quantiles[:, 4] - fc.quantiles[:, 0]) / fc.point
    assert rel[7] > rel[0]


@pytest.mark.parametrize("method", ["naive", "seasonal_naive", "ets"])
def test_quantiles_ordered_and_non_negative_on_sparse_counts(method):
    rng = np.random.default_rng(3)
    y = rng.poisson(0.6, 800).astype(float)  # mostly zeros: log1p errors are large
    fc = forecast_series(daily(y), method, 28)
    q = fc.quantiles
    assert q.shape == (28, len(QUANTILES))
    assert (np.diff(q, axis=1) >= 0).all()
    assert (q >= 0).all() and (fc.point >= 0).all()
    assert (np.diff(fc.total_quantiles) >= 0).all()


def test_naive_interval_comes_from_errors_at_its_own_lag():
    rng = np.random.default_rng(5)
    z = np.log1p(np.tile(WEEK, 60)) + rng.normal(0, 0.05, 420)
    y = np.expm1(z)
    d = baselines.naive(y, 28, period=7, residual_window=365)
    errs7 = (z[7:] - z[:-7])[-365:]
    expected_q10 = np.expm1(z[-7] + np.quantile(errs7, 0.1))
    assert d.quantiles[0, 1] == pytest.approx(expected_q10, rel=1e-12)
    # Lag-28 errors (horizon 22-28) are no narrower than lag-7 ones here.
    assert np.ptp(d.quantiles[27]) >= 0.9 * np.ptp(d.quantiles[6])


def test_climatology_never_fails():
    one = baselines.climatology(np.array([42.0]), 5)
    np.testing.assert_allclose(one.quantiles, 42.0)
    three = baselines.climatology(np.array([1.0, 5.0, 9.0]), 2)
    np.testing.assert_array_equal(three.point, [5.0, 5.0])
    assert (np.diff(three.quantiles, axis=1) >= 0).all()
