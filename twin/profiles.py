"""Shared hour-of-day and day-of-week profiles of emergency-department arrivals.

This module is the single source of these profiles: the synthetic SurSaUD generator uses
the day-of-week multipliers to shape daily passages, and the simulation uses both to turn a
daily arrival count into arrival times. Changing them here changes both consistently; do not
copy the numbers elsewhere.

Calibration (national magnitudes, DREES / Santé publique France, see
``shared/reference/french-health-data.md``):

* 74 % of arrivals happen between 08:00 and 20:00; the night minimum is around 04:00-06:00
  and the morning surge peaks late morning, with a plateau through the afternoon.
* Monday is the busiest day (in 92 départements), about +11 % over the mean of the other six
  days; the other days are close to each other, Sunday slightly above mid-week.
* Public holidays behave like Sundays (primary care is closed, as on Sundays).

The shape inside the day and night blocks is a smooth, plausible curve, not a published
series: only the two block totals and the Monday excess are calibrated.
"""

from __future__ import annotations

from typing import Final

import numpy as np

DAYTIME_START_HOUR: Final = 8
DAYTIME_END_HOUR: Final = 20
DAYTIME_SHARE: Final = 0.74
MONDAY_EXCESS: Final = 0.11

# Relative arrival intensity per clock hour 0..23 (shape only; rescaled below).
_HOUR_SHAPE = np.array(
    [
        2.6, 2.0, 1.6, 1.3, 1.1, 1.1, 1.4, 2.2,  # 00-07
        4.2, 5.9, 6.8, 6.9, 6.4, 6.2, 6.4, 6.3, 6.1, 6.0, 6.0, 5.9,  # 08-19
        5.1, 4.3, 3.6, 3.1,  # 20-23
    ]
)


def _hour_shares() -> tuple[float, ...]:
    """Rescale day and night blocks separately so their totals are exactly 74 % / 26 %."""
    day = np.zeros(24, dtype=bool)
    day[DAYTIME_START_HOUR:DAYTIME_END_HOUR] = True
    shares = np.empty(24)
    shares[day] = _HOUR_SHAPE[day] / _HOUR_SHAPE[day].sum() * DAYTIME_SHARE
    shares[~day] = _HOUR_SHAPE[~day] / _HOUR_SHAPE[~day].sum() * (1.0 - DAYTIME_SHARE)
    return tuple(float(x) for x in shares)


HOUR_OF_DAY_SHARES: Final[tuple[float, ...]] = _hour_shares()
"""Share of a day's ED arrivals starting in each clock hour 0..23; sums to 1."""

# Monday first (Python ``date.weekday()`` order). Tuesday..Sunday average exactly 1.0 before
# rescaling, so Monday is +11 % over the mean of the other days.
_DOW_SHAPE = np.array([1.0 + MONDAY_EXCESS, 1.01, 0.99, 0.98, 1.00, 0.99, 1.03])

DAY_OF_WEEK_MULTIPLIERS: Final[tuple[float, ...]] = tuple(
    float(x) for x in _DOW_SHAPE / _DOW_SHAPE.mean()
)
"""Daily ED passages relative to the weekly mean, Monday..Sunday; mean exactly 1."""

PUBLIC_HOLIDAY_MULTIPLIER: Final[float] = DAY_OF_WEEK_MULTIPLIERS[6]
"""Public holidays are Sunday-like: the same multiplier as Sunday."""


def day_multipliers(weekday: np.ndarray, holiday: np.ndarray | None = None) -> np.ndarray:
    """Multiplier per day from its weekday (0 = Monday) and public-holiday flag."""
    mult = np.asarray(DAY_OF_WEEK_MULTIPLIERS)[np.asarray(weekday, dtype=int)]
    if holiday is not None:
        mult = np.where(np.asarray(holiday, dtype=bool), PUBLIC_HOLIDAY_MULTIPLIER, mult)
    return mult
