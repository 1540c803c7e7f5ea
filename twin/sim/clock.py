"""The simulation clock unit, declared once for the whole code base.

**Simulation time is a float number of hours since the start of the run, and the run starts
at midnight (00:00) of day 0.** Every SimPy ``env.now``, every timeout, every rate
("per hour") and every duration handed to the engine is in these units. No other module may
assume a unit: convert with the helpers below, and name variables ``*_hours`` / ``*_days``
when they cross a module boundary.

Why hours: ED and SAMU processes live at the scale of minutes to hours, bed stays at the
scale of days; hours keep both within a few orders of magnitude of 1 (a 10-year horizon is
87 660 h, far from any float precision problem: the spacing of doubles near 1e5 is 1.5e-11 h,
about 50 ns), and the French sources publish ED activity per clock hour.

Why "midnight of day 0": the hour of day is then simply ``t % 24`` and the day index
``t // 24``, so hourly staffing rosters, daily snapshots and calendar joins (holidays,
weekdays) need no offset. A run that should begin at 08:00 starts its arrivals at ``t = 8``.

Calendar dates are attached only at the edges (input calendars, output tables) through a
``start`` date: :func:`to_datetime` / :func:`from_datetime`. Civil time is taken as naive
local time with 24-hour days: daylight-saving shifts are deliberately ignored (a 23- or
25-hour civil day would break ``t % 24`` for a gain of one hour twice a year).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np

from twin.timeunit import (  # re-exported: the unit is declared once, in the core
    DAYS_PER_WEEK,
    DAYS_PER_YEAR,
    HOURS_PER_DAY,
    HOURS_PER_WEEK,
    HOURS_PER_YEAR,
    MINUTES_PER_HOUR,
    SECONDS_PER_HOUR,
    TIME_UNIT,
)

__all__ = [
    "DAYS_PER_WEEK", "DAYS_PER_YEAR", "HOURS_PER_DAY", "HOURS_PER_WEEK", "HOURS_PER_YEAR",
    "MINUTES_PER_HOUR", "SECONDS_PER_HOUR", "TIME_UNIT", "date_of_day", "day_dates",
    "day_index", "days_from_hours", "from_datetime", "hour_of_day", "hour_slot",
    "hours_from_days", "hours_from_minutes", "minutes_from_hours", "per_hour_from_per_day",
    "to_datetime",
]


def hours_from_days(days: float) -> float:
    """Simulation time (hours) for a duration given in days (e.g. a length of stay)."""
    return days * HOURS_PER_DAY


def hours_from_minutes(minutes: float) -> float:
    """Simulation time (hours) for a duration given in minutes (e.g. a triage time)."""
    return minutes / MINUTES_PER_HOUR


def days_from_hours(hours: float) -> float:
    """Duration in days of a simulation-time span."""
    return hours / HOURS_PER_DAY


def minutes_from_hours(hours: float) -> float:
    """Duration in minutes of a simulation-time span (ED waits are reported in minutes)."""
    return hours * MINUTES_PER_HOUR


def per_hour_from_per_day(rate_per_day: float) -> float:
    """Convert a daily rate (e.g. ED passages per day) into the engine's hourly rate."""
    return rate_per_day / HOURS_PER_DAY


def day_index(t_hours: float) -> int:
    """Index of the simulated day containing ``t_hours`` (day 0 is ``[0, 24)``)."""
    return math.floor(t_hours / HOURS_PER_DAY)


def hour_of_day(t_hours: float) -> float:
    """Clock hour within the day, in ``[0, 24)`` (e.g. 14.5 is 14:30)."""
    return t_hours % HOURS_PER_DAY


def hour_slot(t_hours: float) -> int:
    """Index of the whole simulated hour containing ``t_hours`` (hour 0 is ``[0, 1)``)."""
    return math.floor(t_hours)


def to_datetime(t_hours: float, start: date | datetime) -> datetime:
    """Civil date-time of a simulation time, for a run starting at midnight of ``start``.

    A ``datetime`` start is truncated to its midnight: the clock origin is always 00:00.
    """
    origin = datetime(start.year, start.month, start.day)
    return origin + timedelta(hours=float(t_hours))


def from_datetime(when: date | datetime, start: date | datetime) -> float:
    """Simulation time (hours) of a civil date-time, for a run starting at ``start``.

    A bare ``date`` means its midnight. Times before the start are negative, not an error,
    so that warm-up periods and look-back windows can be expressed.
    """
    origin = datetime(start.year, start.month, start.day)
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    return (when - origin) / timedelta(hours=1)


def date_of_day(day: int, start: date | datetime) -> date:
    """Calendar date of simulated day ``day``."""
    return date(start.year, start.month, start.day) + timedelta(days=int(day))


def day_dates(n_days: int, start: date | datetime) -> np.ndarray:
    """``datetime64[D]`` labels of simulated days ``0 .. n_days-1`` (for xarray coordinates)."""
    origin = np.datetime64(date(start.year, start.month, start.day), "D")
    return origin + np.arange(int(n_days)).astype("timedelta64[D]")
