"""Forecasts of slow, intermittent and fast-moving consumption, chosen by demand class.

A hospital consumes paracetamol every day but a tamoxifen box every few days: the right
forecasting method depends on the demand pattern. The Syntetos–Boylan classification
(Syntetos, Boylan & Croston 2005) measures two things on the recent history:

* ``ADI``, the average inter-demand interval: observed periods / periods with demand;
* ``CV²``, the squared coefficient of variation of the non-zero demand sizes,

and cuts them at ADI = 1.32 and CV² = 0.49 into four classes. The method used per class
(:func:`method_for`) is stated here:

============== ============== ============ ==================================================
class          ADI            CV²          method
============== ============== ============ ==================================================
smooth         < 1.32         < 0.49       SES (fast mover; seasonal adjustment downstream)
erratic        < 1.32         ≥ 0.49       SES (demand nearly every day: sizes vary only)
intermittent   ≥ 1.32         < 0.49       SBA (Croston with the Syntetos–Boylan correction)
lumpy          ≥ 1.32         ≥ 0.49       TSB (probability updated every period, so the
                                           forecast falls when demand stops — e.g. when
                                           prescribers switch during a shortage)
============== ============== ============ ==================================================

Classic Croston is implemented too (and tested on hand-computed values) but not chosen by
default: it is biased upwards by about α/2, which SBA removes.

Every function works on one series (1-D) or many at once (2-D, series × time), vectorised
over series with a loop over time, so a whole ledger's forecasts are computed in one pass.
``NaN`` marks an unobserved period (for example a stock-out day, when dispensing says nothing
about demand): it updates nothing and, for Croston/TSB, does not count as a period. Output
``f[..., t]`` is the forecast of period ``t + 1`` made after observing period ``t``: a
forecast at any date only uses the past, so a backtest can read it directly (no refit, no
leakage). Before a series has any (non-zero, for Croston) observation the forecast is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
METHODS = {"smooth": "ses", "erratic": "ses", "intermittent": "sba", "lumpy": "tsb"}


@dataclass(frozen=True)
class Classification:
    """ADI, CV² and Syntetos–Boylan class of one series."""

    adi: float
    cv2: float
    category: str


def _as_2d(y: ArrayLike) -> tuple[np.ndarray, bool]:
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 1:
        return arr[None, :], True
    if arr.ndim != 2:
        raise ValueError(f"expected a 1-D or 2-D array, got {arr.ndim} dimensions")
    return arr, False


def adi_cv2(y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """ADI and CV² per series (NaN periods ignored). A series without demand has ADI = inf
    and CV² = NaN; with one demand size CV² = 0."""
    arr, single = _as_2d(y)
    observed = ~np.isnan(arr)
    pos = observed & (arr > 0)
    n_obs = observed.sum(axis=1)
    n_pos = pos.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(n_pos > 0, n_obs / np.maximum(n_pos, 1), np.inf)
        sizes = np.where(pos, arr, np.nan)
        mean = np.nanmean(np.where(n_pos[:, None] > 0, sizes, 0.0), axis=1)
        var = np.nanvar(np.where(n_pos[:, None] > 0, sizes, 0.0), axis=1)
        cv2 = np.where(n_pos > 0, var / mean**2, np.nan)
    if single:
        return adi[:1], cv2[:1]
    return adi, cv2


def categorise(adi: ArrayLike, cv2: ArrayLike) -> np.ndarray:
    """Syntetos–Boylan class names for arrays of ADI and CV² (a series with no demand, or a
    single size, has CV² treated as 0)."""
    adi = np.asarray(adi, dtype=float)
    cv2 = np.nan_to_num(np.asarray(cv2, dtype=float), nan=0.0)
    frequent = adi < ADI_CUTOFF
    regular = cv2 < CV2_CUTOFF
    return np.select(
        [frequent & regular, frequent & ~regular, ~frequent & regular],
        ["smooth", "erratic", "intermittent"],
        "lumpy",
    )


def classify(y: ArrayLike) -> Classification:
    """The Syntetos–Boylan classification of one series."""
    adi, cv2 = adi_cv2(np.asarray(y, dtype=float).ravel())
    return Classification(float(adi[0]), float(cv2[0]), str(categorise(adi, cv2)[0]))


def method_for(category: str) -> str:
    """The forecasting method used for a demand class (see the module table)."""
    return METHODS[category]


def ses(y: ArrayLike, alpha: float = 0.1) -> np.ndarray:
    """Simple exponential smoothing: level ← level + α (y − level), started at the first
    observation. Returns one-step-ahead forecasts (same shape as ``y``)."""
    arr, single = _as_2d(y)
    n, t_len = arr.shape
    level = np.full(n, np.nan)
    out = np.empty_like(arr)
    for t in range(t_len):
        yt = arr[:, t]
        obs = ~np.isnan(yt)
        start = obs & np.isnan(level)
        level[start] = yt[start]
        upd = obs & ~start
        level[upd] += alpha * (yt[upd] - level[upd])
        out[:, t] = level
    return out[0] if single else out


def croston(y: ArrayLike, alpha: float = 0.1, variant: str = "classic") -> np.ndarray:
    """Croston's method: exponential smoothing (α) of the non-zero demand sizes ``z`` and of
    the intervals between them ``p`` (in observed periods), forecast ``z / p``; ``variant=
    "sba"`` multiplies by ``1 − α/2`` (Syntetos–Boylan approximation, removes the bias).

    Initialisation: at the first demand, ``z`` = its size and ``p`` = the number of observed
    periods up to and including it. Returns one-step-ahead forecasts (NaN before the first
    demand).
    """
    if variant not in ("classic", "sba"):
        raise ValueError(f"unknown Croston variant {variant!r}")
    arr, single = _as_2d(y)
    n, t_len = arr.shape
    z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    since = np.zeros(n)
    out = np.empty_like(arr)
    for t in range(t_len):
        yt = arr[:, t]
        obs = ~np.isnan(yt)
        since[obs] += 1
        demand = obs & (yt > 0)
        first = demand & np.isnan(z)
        z[first] = yt[first]
        p[first] = since[first]
        upd = demand & ~first
        z[upd] += alpha * (yt[upd] - z[upd])
        p[upd] += alpha * (since[upd] - p[upd])
        since[demand] = 0
        out[:, t] = z / p
    if variant == "sba":
        out *= 1.0 - alpha / 2.0
    return out[0] if single else out


def sba(y: ArrayLike, alpha: float = 0.1) -> np.ndarray:
    """Syntetos–Boylan approximation: Croston × (1 − α/2)."""
    return croston(y, alpha, variant="sba")


def tsb(y: ArrayLike, alpha: float = 0.1, beta: float = 0.05) -> np.ndarray:
    """Teunter–Syntetos–Babai: demand probability ``π`` smoothed (β) every observed period
    towards 1 (demand) or 0 (none), size ``z`` smoothed (α) on demand periods; forecast
    ``π z``. Initialisation at the first demand: ``z`` = its size, ``π`` = 1 / (observed
    periods up to and including it). One-step-ahead forecasts, NaN before the first demand.
    """
    arr, single = _as_2d(y)
    n, t_len = arr.shape
    z = np.full(n, np.nan)
    prob = np.full(n, np.nan)
    since = np.zeros(n)
    out = np.empty_like(arr)
    for t in range(t_len):
        yt = arr[:, t]
        obs = ~np.isnan(yt)
        started = ~np.isnan(z)
        since[obs & ~started] += 1
        demand = obs & (yt > 0)
        first = demand & ~started
        z[first] = yt[first]
        prob[first] = 1.0 / since[first]
        upd = obs & started
        hit = upd & demand
        z[hit] += alpha * (yt[hit] - z[hit])
        prob[upd] += beta * (demand[upd].astype(float) - prob[upd])
        out[:, t] = prob * z
    return out[0] if single else out


def forecast_by_method(y: ArrayLike, method: str, alpha: float = 0.1,
                       beta: float = 0.05) -> np.ndarray:
    """One-step-ahead forecasts of ``y`` by a named method (ses, croston, sba, tsb)."""
    if method == "ses":
        return ses(y, alpha)
    if method == "croston":
        return croston(y, alpha)
    if method == "sba":
        return sba(y, alpha)
    if method == "tsb":
        return tsb(y, alpha, beta)
    raise ValueError(f"unknown method {method!r} (ses, croston, sba, tsb)")
