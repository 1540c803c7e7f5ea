"""The clock unit: hours from midnight of day 0, conversions at the edges only."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from twin.sim import clock


def test_constants_are_exact_and_consistent() -> None:
    assert clock.TIME_UNIT == "hour"
    assert clock.HOURS_PER_DAY == 24 and isinstance(clock.HOURS_PER_DAY, int)
    assert clock.HOURS_PER_WEEK == 168
    assert clock.HOURS_PER_YEAR == 365.25 * 24


def test_duration_conversions_round_trip() -> None:
    assert clock.hours_from_days(2.5) == 60.0
    assert clock.hours_from_minutes(90) == 1.5
    assert clock.days_from_hours(clock.hours_from_days(3.25)) == 3.25
    assert clock.minutes_from_hours(clock.hours_from_minutes(17.0)) == pytest.approx(17.0)
    assert clock.per_hour_from_per_day(240.0) == 10.0


def test_day_and_hour_indices() -> None:
    assert clock.day_index(0.0) == 0 and clock.day_index(23.999) == 0
    assert clock.day_index(24.0) == 1 and clock.day_index(-0.5) == -1
    assert clock.hour_of_day(50.5) == pytest.approx(2.5)
    assert clock.hour_slot(50.5) == 50


def test_datetime_edges() -> None:
    start = date(2025, 3, 30)  # the day of the spring DST change: deliberately ignored
    assert clock.to_datetime(26.5, start) == datetime(2025, 3, 31, 2, 30)
    assert clock.from_datetime(datetime(2025, 3, 31, 2, 30), start) == 26.5
    assert clock.from_datetime(date(2025, 3, 29), start) == -24.0
    # A datetime start is truncated to its midnight: the origin is always 00:00.
    assert clock.to_datetime(1.0, datetime(2025, 3, 30, 15, 0)) == datetime(2025, 3, 30, 1, 0)
    assert clock.date_of_day(2, start) == date(2025, 4, 1)
    labels = clock.day_dates(3, start)
    assert labels.dtype == np.dtype("datetime64[D]")
    assert str(labels[-1]) == "2025-04-01"
