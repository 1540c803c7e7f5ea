"""Patient arrivals as non-homogeneous Poisson processes, drawn so that scenarios share them.

Arrivals of one stream (an ED unit's self-presentations, a SAMU centre's calls) are drawn
by *thinning* a Poisson process of rate ``HEADROOM x`` the baseline rate: every candidate
carries a uniform mark ``u`` and is accepted when ``u * HEADROOM < multiplier(t)``. A
baseline (multiplier 1) and a variant (an epidemic wave, poorer GP access: multiplier > 1)
therefore see the *same* baseline patients, and the variant only adds patients: common random
numbers that make "more demand never lowers occupancy" hold path by path. Each candidate
also carries its own uniforms for every later decision (triage, treatment time,
disposition, length of stay), so a patient keeps their attributes across scenarios.

The hourly rate is the day's expected count times the shared hour-of-day profile
(:data:`twin.profiles.HOUR_OF_DAY_SHARES`); the day's count already carries the weekday,
holiday, seasonal and epidemic shape of the calibrated daily series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.profiles import HOUR_OF_DAY_SHARES
from twin.sim.marks import ACCEPT, N_MARKS

HEADROOM = 3.0
"""Largest demand multiplier a scenario can apply without changing the baseline draws."""

_HOUR_SHARES = np.asarray(HOUR_OF_DAY_SHARES)


@dataclass(frozen=True)
class Arrivals:
    """Accepted arrivals of one stream, sorted by time."""

    time_hours: np.ndarray
    age_class: np.ndarray
    """Index into the age classes (-1 when the stream has no age structure)."""
    marks: np.ndarray
    """Shape (n, N_MARKS): per-patient uniforms, one slot per decision (:mod:`twin.sim.marks`)."""

    def __len__(self) -> int:
        return int(self.time_hours.size)


def draw_arrivals(
    rng: np.random.Generator,
    per_day_by_class: np.ndarray,
    multiplier_by_hour: np.ndarray | None = None,
) -> Arrivals:
    """Arrivals over ``days`` from expected counts per day and class (shape (days, k)).

    ``multiplier_by_hour`` (shape (days*24, k) or (days*24,)) scales the baseline rate hour
    by hour (demand shocks, closures redirecting patients, GP access), capped at HEADROOM.
    """
    per_day = np.atleast_2d(np.asarray(per_day_by_class, dtype=float))
    if per_day.shape[0] == 1 and np.ndim(per_day_by_class) == 1:
        per_day = per_day.T
    days, k = per_day.shape
    hourly = (per_day[:, None, :] * _HOUR_SHARES[None, :, None]).reshape(days * 24, k)
    counts = rng.poisson(hourly * HEADROOM)
    total = int(counts.sum())
    hours = np.repeat(np.arange(days * 24), counts.sum(axis=1))
    classes = np.repeat(np.tile(np.arange(k), days * 24), counts.ravel())
    t = hours + rng.random(total)
    marks = rng.random((total, N_MARKS))
    if multiplier_by_hour is None:
        mult = np.ones(total)
    else:
        m = np.asarray(multiplier_by_hour, dtype=float)
        mult = m[hours] if m.ndim == 1 else m[hours, classes]
    keep = marks[:, ACCEPT] * HEADROOM < np.minimum(mult, HEADROOM)
    order = np.argsort(t[keep], kind="stable")
    return Arrivals(
        time_hours=t[keep][order] * 1.0,
        age_class=classes[keep][order].astype(np.int8),
        marks=marks[keep][order],
    )
