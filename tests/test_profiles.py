"""The shared ED arrival profiles match the national calibration they document."""

from __future__ import annotations

import numpy as np

from twin.profiles import (
    DAY_OF_WEEK_MULTIPLIERS,
    HOUR_OF_DAY_SHARES,
    PUBLIC_HOLIDAY_MULTIPLIER,
    day_multipliers,
)


def test_hour_of_day_shares():
    shares = np.array(HOUR_OF_DAY_SHARES)
    assert shares.shape == (24,)
    assert (shares > 0).all()
    assert abs(shares.sum() - 1.0) < 1e-12
    assert abs(shares[8:20].sum() - 0.74) < 1e-12
    assert shares.argmin() in (4, 5)  # night minimum
    assert 9 <= shares.argmax() <= 12  # late-morning peak


def test_day_of_week_multipliers():
    dow = np.array(DAY_OF_WEEK_MULTIPLIERS)
    assert dow.shape == (7,)
    assert abs(dow.mean() - 1.0) < 1e-12
    assert dow.argmax() == 0  # Monday
    assert abs(dow[0] / dow[1:].mean() - 1.11) < 1e-9
    assert dow[6] == PUBLIC_HOLIDAY_MULTIPLIER


def test_day_multipliers_makes_holidays_sunday_like():
    weekday = np.array([0, 1, 6, 0])
    holiday = np.array([False, False, False, True])
    out = day_multipliers(weekday, holiday)
    assert out[0] == DAY_OF_WEEK_MULTIPLIERS[0]
    assert out[3] == DAY_OF_WEEK_MULTIPLIERS[6] < out[0]
    assert np.array_equal(day_multipliers(weekday)[:3], out[:3])
