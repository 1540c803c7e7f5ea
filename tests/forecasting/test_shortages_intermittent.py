"""Intermittent-demand methods on constructed series with hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import intermittent as im

Y = [0, 0, 4, 0, 2, 0, 0, 0, 6]


def test_croston_known_values():
    # α = 0.5. First demand (4) after 3 periods: z = 4, p = 3. Next (2) after 2: z = 3,
    # p = 2.5. Next (6) after 4: z = 4.5, p = 3.25.
    f = im.croston(Y, alpha=0.5)
    assert np.isnan(f[:2]).all()
    np.testing.assert_allclose(f[2:], [4 / 3, 4 / 3, 1.2, 1.2, 1.2, 1.2, 4.5 / 3.25])


def test_sba_is_croston_times_one_minus_half_alpha():
    np.testing.assert_allclose(im.sba(Y, alpha=0.5)[2:], 0.75 * im.croston(Y, 0.5)[2:])
    np.testing.assert_allclose(im.sba(Y, alpha=0.1)[2:], 0.95 * im.croston(Y, 0.1)[2:])


def test_tsb_known_values():
    # α = β = 0.5: π starts at 1/3 at the first demand, then moves halfway to 0 or 1 each
    # period; z as in Croston.
    f = im.tsb(Y, alpha=0.5, beta=0.5)
    assert np.isnan(f[:2]).all()
    expected = [4 / 3, 4 / 6, 3 * 7 / 12, 3 * 7 / 24, 3 * 7 / 48, 3 * 7 / 96, 4.5 * 103 / 192]
    np.testing.assert_allclose(f[2:], expected)


def test_tsb_forecast_decays_when_demand_stops_but_croston_does_not():
    y = [3.0] * 20 + [0.0] * 60
    assert im.tsb(y, 0.1, 0.1)[-1] < 0.01 * 3
    assert im.croston(y, 0.1)[-1] == pytest.approx(3.0)


def test_ses_known_values_and_missing_periods():
    np.testing.assert_allclose(im.ses([2, 4, np.nan, 0], alpha=0.5), [2, 3, 3, 1.5])


def test_missing_periods_do_not_count_as_intervals():
    # Demand 3 after one observed zero and one unobserved day: interval 2, not 3.
    f = im.croston([0, np.nan, 3], alpha=0.5)
    assert f[-1] == pytest.approx(1.5)


def test_two_dimensional_input_equals_row_by_row():
    rng = np.random.default_rng(1)
    y = rng.poisson(0.4, size=(5, 200)).astype(float)
    y[1, 50:60] = np.nan
    for fn in (im.ses, im.croston, im.sba, im.tsb):
        both = fn(y)
        for i in range(5):
            np.testing.assert_allclose(both[i], fn(y[i]), equal_nan=True)


def test_sba_removes_most_of_croston_bias():
    # Bernoulli(0.2) occurrence, size 5: true mean demand 1 per period.
    rng = np.random.default_rng(7)
    y = (rng.random(40_000) < 0.2) * 5.0
    cro = np.nanmean(im.croston(y, 0.2)[100:])
    sba = np.nanmean(im.sba(y, 0.2)[100:])
    assert cro > 1.05  # Croston overshoots
    assert abs(sba - 1.0) < abs(cro - 1.0) / 2


@pytest.mark.parametrize(
    ("series", "category", "method"),
    [
        ([5.0] * 50, "smooth", "ses"),
        ([1.0, 9.0] * 25, "erratic", "ses"),
        ([0.0, 0.0, 0.0, 3.0] * 15, "intermittent", "sba"),
        ([0.0, 1.0, 0.0, 9.0] * 15, "lumpy", "tsb"),
    ],
)
def test_syntetos_boylan_classification(series, category, method):
    c = im.classify(series)
    assert c.category == category
    assert im.method_for(c.category) == method


def test_adi_and_cv2_values():
    c = im.classify([0.0, 1.0, 0.0, 9.0] * 15)
    assert c.adi == pytest.approx(2.0)
    assert c.cv2 == pytest.approx(16 / 25)  # sizes 1 and 9: variance 16, mean 5
    empty = im.classify([0.0] * 10)
    assert empty.adi == np.inf and empty.category in ("intermittent", "lumpy")
