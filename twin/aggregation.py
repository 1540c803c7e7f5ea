"""How output values combine: across territories, over days, across replications (pure numpy).

One module for the batch (département values of a store, ``twin compare``) and the dashboard,
so an occupancy rate, a pooled share or a P95 is computed the same way everywhere. How each
output combines is declared in :mod:`twin.output_registry`; these functions do the arithmetic.

* **Territories.** Counts and beds add up; an occupancy rate is the ratio of summed occupied
  and open beds (:func:`ratio`), never a mean of rates; a share or a mean time is pooled with
  its weight (passages, calls) by summing :func:`weighted_parts` then taking their ratio.
* **Days.** A period's count is the mean of its days, or the highest day for a peak
  (:func:`over_time`); a period's rate or pooled share is the ratio of its totals
  (:func:`over_period`), as SAE computes an occupancy rate (bed-days occupied over bed-days
  open), so a day with fewer open beds weighs less than a full one.
* **Replications.** Uncertainty is across replications (:func:`summary`); differences from a
  baseline are paired replication by replication (:func:`paired_difference`): the batch gives
  replication ``r`` of every scenario the same random streams (common random numbers), so the
  paired difference removes the noise both runs share.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from twin.output_registry import Output


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere (no beds: no occupancy rate)."""
    num, den = np.asarray(num), np.asarray(den)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def weighted_parts(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(x·w, w)`` to be summed over a territory, then divided (:func:`ratio`) to pool ``x``
    weighted by ``w``. A pair with a missing value adds nothing to either sum (a day without
    ED stays has no share, and its passages must not dilute the other EDs' share)."""
    x, w = np.asarray(x), np.asarray(w)
    ok = ~(np.isnan(x) | np.isnan(w))
    zero = np.zeros((), dtype=np.result_type(x, w))
    return np.where(ok, x * w, zero), np.where(ok, w, zero)


def over_time(output: Output, values: np.ndarray, axis: int = -1) -> np.ndarray:
    """One value per period: the mean of the days, or the highest day for a peak output;
    NaN days are skipped, NaN when every day is NaN."""
    values = np.asarray(values)
    if values.shape[axis] == 0:
        return np.full(np.delete(values.shape, axis), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        if output.over_time == "max":
            return np.nanmax(values, axis=axis)
        return np.nanmean(values, axis=axis)


def over_period(output: Output, parts: Mapping[str, np.ndarray], axis: int = -1) -> np.ndarray:
    """One value per period from an output's parts: ``{"x"}`` for a count (:func:`over_time`),
    ``{"num", "den"}`` for a ratio or ``{"xw", "w"}`` for a weighted output
    (:func:`weighted_parts`), whose period value is the ratio of the period's totals, never a
    mean of daily rates.

    Both ``twin compare`` and the dashboard take their period values here, so an occupancy rate
    over a summer is the same number in the table and on the map."""
    if "x" in parts:
        return over_time(output, parts["x"], axis=axis)
    num, den = (parts["num"], parts["den"]) if "num" in parts else (parts["xw"], parts["w"])
    with np.errstate(invalid="ignore"):
        return ratio(np.asarray(num).sum(axis=axis), np.asarray(den).sum(axis=axis))


def summary(
    values: np.ndarray, percentiles: Sequence[float] = (5.0, 95.0), axis: int = 0
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Across replications (``axis``), ignoring NaN: the mean, the ``percentiles`` (linear
    interpolation) and the number of finite values; NaN where no replication has a value."""
    values = np.asarray(values, dtype=np.float64)
    values = np.where(np.isfinite(values), values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if values.shape[axis] == 0:
            empty = np.full(np.delete(values.shape, axis), np.nan)
            return empty, [empty.copy() for _ in percentiles], np.zeros(empty.shape, int)
        mean = np.nanmean(values, axis=axis)
        qs = [np.nanpercentile(values, q, axis=axis) for q in percentiles]
    return mean, qs, np.isfinite(values).sum(axis=axis)


def paired_difference(scenario: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Scenario minus baseline, replication by replication (same shapes)."""
    if scenario.shape != baseline.shape:
        raise ValueError(
            f"paired replications differ in shape: {scenario.shape} vs {baseline.shape}"
        )
    return scenario - baseline


def exceeds_any_day(daily: np.ndarray, threshold: float, axis: int = -1) -> np.ndarray:
    """Whether the daily value went above ``threshold`` on at least one day (NaN days never
    exceed)."""
    with np.errstate(invalid="ignore"):
        return (np.nan_to_num(np.asarray(daily), nan=-np.inf) > threshold).any(axis=axis)
